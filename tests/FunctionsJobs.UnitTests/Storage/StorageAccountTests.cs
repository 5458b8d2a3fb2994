using Azure.Core;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;

namespace FunctionsJobs.UnitTests.Storage;

public sealed class StorageAccountTests
{
    private const string Setting = SettingNames.Storage;

    // A syntactically valid key (base64 of 64 bytes); it is not a real account's key.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void DevelopmentStorage_points_at_the_local_emulator_ports()
    {
        var account = StorageAccount.FromConfiguration(TestConfig.From((Setting, "UseDevelopmentStorage=true")));

        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), account.Blobs.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), account.Queues.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), account.RawQueues.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.Tables.Uri);
    }

    [Fact]
    public void Explicit_azurite_connection_string_uses_its_endpoints()
    {
        var connectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            "BlobEndpoint=http://127.0.0.1:41000/devstoreaccount1;" +
            "QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;" +
            "TableEndpoint=http://127.0.0.1:41002/devstoreaccount1;";

        var account = StorageAccount.FromConfiguration(TestConfig.From((Setting, connectionString)));

        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:41000/devstoreaccount1"), account.Blobs.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:41001/devstoreaccount1"), account.Queues.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:41002/devstoreaccount1"), account.Tables.Uri);
    }

    [Fact]
    public void Connection_string_is_read_from_the_named_connection()
    {
        var config = TestConfig.From(("OtherStorage", "UseDevelopmentStorage=true"));

        var account = StorageAccount.FromConfiguration(config, "OtherStorage");

        Assert.Equal("devstoreaccount1", account.AccountName);
        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(config));
        Assert.Equal(Setting, error.Setting);
    }

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=SECRET*not*base64*KEY;EndpointSuffix=core.windows.net")]
    [InlineData("AccountName=acct;AccountKey=SECRET*not*base64*KEY")]
    [InlineData("AccountName=acct;AccountKey=SECRETabcd;BlobEndpoint=http://127.0.0.1:1/acct")]
    [InlineData("SharedAccessSignature=sv=2020&sig=SECRET")]
    [InlineData("UseDevelopmentStorage=false")]
    [InlineData("BlobEndpoint=http://127.0.0.1:1/acct;QueueEndpoint=http://127.0.0.1:2/acct")]
    [InlineData("=;=;=")]
    public void Malformed_connection_string_names_the_setting_and_hides_the_key(string connectionString)
    {
        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(TestConfig.From((Setting, connectionString))));

        Assert.Equal(Setting, error.Setting);
        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(connectionString, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_key_never_appears_in_the_message_of_a_malformed_connection_string()
    {
        var connectionString = $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AccountKey};BlobEndpoint=not a uri";

        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(TestConfig.From((Setting, connectionString))));

        Assert.DoesNotContain(AccountKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountKey[..12], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Account_name_gives_the_public_cloud_service_uris()
    {
        var config = TestConfig.From(($"{Setting}:accountName", "mystorage01"));

        var account = StorageAccount.FromConfiguration(config, credential: new DummyCredential());

        Assert.Equal("mystorage01", account.AccountName);
        Assert.Equal(new Uri("https://mystorage01.blob.core.windows.net"), account.Blobs.Uri);
        Assert.Equal(new Uri("https://mystorage01.queue.core.windows.net"), account.Queues.Uri);
        Assert.Equal(new Uri("https://mystorage01.queue.core.windows.net"), account.RawQueues.Uri);
        Assert.Equal(new Uri("https://mystorage01.table.core.windows.net"), account.Tables.Uri);
    }

    [Fact]
    public void Explicit_service_uris_are_used_without_an_account_name()
    {
        var config = TestConfig.From(
            ($"{Setting}:blobServiceUri", "https://blobs.example.test/"),
            ($"{Setting}:queueServiceUri", "https://queues.example.test/"),
            ($"{Setting}:tableServiceUri", "http://tables.example.test/"));

        var account = StorageAccount.FromConfiguration(config, credential: new DummyCredential());

        Assert.Equal(new Uri("https://blobs.example.test/"), account.Blobs.Uri);
        Assert.Equal(new Uri("https://queues.example.test/"), account.Queues.Uri);
        Assert.Equal(new Uri("http://tables.example.test/"), account.Tables.Uri);
    }

    [Fact]
    public void Explicit_service_uri_overrides_the_one_derived_from_the_account_name()
    {
        var config = TestConfig.From(
            ($"{Setting}:accountName", "mystorage"),
            ($"{Setting}:queueServiceUri", "https://queues.example.test/"));

        var account = StorageAccount.FromConfiguration(config, credential: new DummyCredential());

        Assert.Equal(new Uri("https://queues.example.test/"), account.Queues.Uri);
        Assert.Equal(new Uri("https://mystorage.blob.core.windows.net"), account.Blobs.Uri);
        Assert.Equal(new Uri("https://mystorage.table.core.windows.net"), account.Tables.Uri);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("MyStorage")]
    [InlineData("my_storage")]
    [InlineData("my-storage")]
    [InlineData("abcdefghijklmnopqrstuvwxy")]
    public void Invalid_account_name_is_rejected(string accountName)
    {
        var config = TestConfig.From(($"{Setting}:accountName", accountName));

        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(config, credential: new DummyCredential()));

        Assert.Equal($"{Setting}__accountName", error.Setting);
        Assert.Contains(accountName, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://blobs.example.test/")]
    [InlineData("file:///tmp/blobs")]
    [InlineData("blobs.example.test")]
    [InlineData("/relative/path")]
    public void Non_http_service_uri_is_rejected(string uri)
    {
        var config = TestConfig.From(
            ($"{Setting}:accountName", "mystorage"),
            ($"{Setting}:blobServiceUri", uri));

        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(config, credential: new DummyCredential()));

        Assert.Equal($"{Setting}__blobServiceUri", error.Setting);
        Assert.Contains("http", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("managedidentity", null)]
    [InlineData("ManagedIdentity", null)]
    [InlineData("managedidentity", "00000000-0000-0000-0000-000000000001")]
    public void Managed_identity_credential_is_accepted(string credential, string? clientId)
    {
        // No credential is passed in, so the setting is really read; constructing a
        // ManagedIdentityCredential does no network I/O.
        var config = TestConfig.From(
            ($"{Setting}:accountName", "mystorage"),
            ($"{Setting}:credential", credential),
            ($"{Setting}:clientId", clientId));

        var account = StorageAccount.FromConfiguration(config);

        Assert.Equal("mystorage", account.AccountName);
        Assert.Equal(new Uri("https://mystorage.queue.core.windows.net"), account.Queues.Uri);
    }

    [Theory]
    [InlineData("azurecli")]
    [InlineData("connectionstring")]
    [InlineData("managed identity")]
    public void Other_credential_value_is_rejected(string credential)
    {
        var config = TestConfig.From(
            ($"{Setting}:accountName", "mystorage"),
            ($"{Setting}:credential", credential));

        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(config));

        Assert.Equal($"{Setting}__credential", error.Setting);
        Assert.Contains(credential, error.Message, StringComparison.Ordinal);
        Assert.Contains("managedidentity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_set_names_the_setting()
    {
        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(TestConfig.From()));

        Assert.Equal(Setting, error.Setting);
        Assert.Contains("'AzureWebJobsStorage'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Partial_identity_settings_name_the_missing_uris()
    {
        var config = TestConfig.From(($"{Setting}:blobServiceUri", "https://blobs.example.test/"));

        var error = Assert.Throws<InvalidSettingException>(() => StorageAccount.FromConfiguration(config, credential: new DummyCredential()));

        Assert.Equal(Setting, error.Setting);
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__tableServiceUri", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AzureWebJobsStorage__blobServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigureClients_is_applied_to_every_client()
    {
        var configured = new List<ClientOptions>();

        StorageAccount.FromConfiguration(TestConfig.From((Setting, "UseDevelopmentStorage=true")), configureClients: configured.Add);

        Assert.Equal(4, configured.Count);
        Assert.Equal(4, configured.Distinct().Count());
    }

    [Fact]
    public void Null_configuration_is_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => StorageAccount.FromConfiguration(null!));
    }

    private sealed class DummyCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("unit tests never request a token");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("unit tests never request a token");
    }
}
