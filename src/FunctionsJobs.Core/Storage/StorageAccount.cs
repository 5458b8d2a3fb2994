using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Storage;

/// <summary>
/// The blob, queue and table clients of the account named by <c>AzureWebJobsStorage</c>, read
/// the way the Functions host reads it: a connection string, or the identity-based form
/// (<c>__accountName</c>, <c>__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c>,
/// optionally <c>__credential</c> = managedidentity and <c>__clientId</c>).
/// </summary>
public sealed class StorageAccount
{
    private StorageAccount(BlobServiceClient blobs, QueueServiceClient queues, QueueServiceClient rawQueues, TableServiceClient tables)
    {
        Blobs = blobs;
        Queues = queues;
        RawQueues = rawQueues;
        Tables = tables;
    }

    public BlobServiceClient Blobs { get; }

    /// <summary>Queue clients that write and read base64 message bodies, as the Functions queue extension does.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>
    /// Queue clients with no message encoding: the Host decodes each message itself, so that one
    /// undecodable message goes to poison instead of failing the whole batch, and poison moves
    /// keep the content byte for byte.
    /// </summary>
    public QueueServiceClient RawQueues { get; }

    public TableServiceClient Tables { get; }

    public string AccountName => Queues.AccountName;

    /// <param name="configureClients">Adjusts every client's options, e.g. to add a pipeline policy that counts requests.</param>
    public static StorageAccount FromConfiguration(
        IConfiguration configuration, string connectionName = SettingNames.Storage, TokenCredential? credential = null, Action<ClientOptions>? configureClients = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(connectionName);

        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return FromConnectionString(connectionName, section.Value, configureClients);
        }

        var accountName = section["accountName"];
        var blobUri = ServiceUri(section, "blobServiceUri", accountName, "blob");
        var queueUri = ServiceUri(section, "queueServiceUri", accountName, "queue");
        var tableUri = ServiceUri(section, "tableServiceUri", accountName, "table");

        if (blobUri is null || queueUri is null || tableUri is null)
        {
            var missing = new[] { ("blobServiceUri", blobUri), ("queueServiceUri", queueUri), ("tableServiceUri", tableUri) }
                .Where(x => x.Item2 is null).Select(x => $"{connectionName}__{x.Item1}");
            throw new InvalidSettingException(
                connectionName,
                section.Exists()
                    ? $"has no connection string and no {connectionName}__accountName; also missing: {string.Join(", ", missing)}"
                    : $"is not set: give a connection string (UseDevelopmentStorage=true locally) or {connectionName}__accountName");
        }

        credential ??= CreateCredential(connectionName, section);
        return new StorageAccount(
            new BlobServiceClient(blobUri, credential, Configure(new BlobClientOptions(), configureClients)),
            new QueueServiceClient(queueUri, credential, Configure(QueueOptions(QueueMessageEncoding.Base64), configureClients)),
            new QueueServiceClient(queueUri, credential, Configure(QueueOptions(QueueMessageEncoding.None), configureClients)),
            new TableServiceClient(tableUri, credential, Configure(new TableClientOptions(), configureClients)));
    }

    private static StorageAccount FromConnectionString(string connectionName, string connectionString, Action<ClientOptions>? configureClients)
    {
        try
        {
            return new StorageAccount(
                new BlobServiceClient(connectionString, Configure(new BlobClientOptions(), configureClients)),
                new QueueServiceClient(connectionString, Configure(QueueOptions(QueueMessageEncoding.Base64), configureClients)),
                new QueueServiceClient(connectionString, Configure(QueueOptions(QueueMessageEncoding.None), configureClients)),
                new TableServiceClient(connectionString, Configure(new TableClientOptions(), configureClients)));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The exception text can echo the connection string, and with it the account key.
            throw new InvalidSettingException(connectionName, "is not a valid storage connection string", ex);
        }
    }

    private static Uri? ServiceUri(IConfigurationSection section, string key, string? accountName, string service)
    {
        var explicitUri = section[key];
        if (!string.IsNullOrWhiteSpace(explicitUri))
        {
            if (!Uri.TryCreate(explicitUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new InvalidSettingException($"{section.Key}__{key}", $"must be an absolute http(s) URI, not '{explicitUri}'");
            }

            return uri;
        }

        if (string.IsNullOrWhiteSpace(accountName))
        {
            return null;
        }

        if (!IsValidAccountName(accountName))
        {
            throw new InvalidSettingException($"{section.Key}__accountName", $"must be 3-24 lowercase letters and digits, not '{accountName}'");
        }

        return new Uri($"https://{accountName}.{service}.core.windows.net");
    }

    private static bool IsValidAccountName(string name) =>
        name.Length is >= 3 and <= 24 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));

    /// <summary>
    /// The credential of an identity-based connection as the Functions host reads one:
    /// <c>{connection}__credential</c> = managedidentity (with <c>__clientId</c> for a user-assigned
    /// identity), else <c>DefaultAzureCredential</c>. Other connections (Service Bus) use it too.
    /// </summary>
    public static TokenCredential CreateCredential(string connectionName, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var clientId = section["clientId"];
        var kind = section["credential"];
        if (string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        if (!string.IsNullOrWhiteSpace(kind))
        {
            throw new InvalidSettingException($"{connectionName}__credential", $"must be 'managedidentity' or absent, not '{kind}'");
        }

        var options = new DefaultAzureCredentialOptions();
        if (!string.IsNullOrWhiteSpace(clientId))
        {
            options.ManagedIdentityClientId = clientId;
        }

        return new DefaultAzureCredential(options);
    }

    private static T Configure<T>(T options, Action<ClientOptions>? configure)
        where T : ClientOptions
    {
        configure?.Invoke(options);
        return options;
    }

    private static QueueClientOptions QueueOptions(QueueMessageEncoding encoding) => new() { MessageEncoding = encoding };
}
