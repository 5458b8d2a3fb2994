using System.Net;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Startup;

/// <summary>Configuration as Functions users write it, and start-up failures that name the setting.</summary>
public sealed class StartupTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("functionsjobs-startup-").FullName;

    public static TheoryData<string, string?, string?, string> BadSettings => new()
    {
        // name, local.settings.json, host.json, expected setting in the one line
        { "no storage setting", """{ "Values": { "FunctionsJobs__FunctionKey": "0123456789abcdefX", "FunctionsJobs__MasterKey": "0123456789abcdefY" } }""", null, "setting 'AzureWebJobsStorage' is not set" },
        { "malformed connection string", """{ "Values": { "AzureWebJobsStorage": "AccountName=x;AccountKey=c2VjcmV0LWtleQ==;garbage" } }""", null, "setting 'AzureWebJobsStorage' is not a valid storage connection string" },
        { "bad account name", """{ "Values": { "AzureWebJobsStorage__accountName": "Not_Valid" } }""", null, "setting 'AzureWebJobsStorage__accountName'" },
        { "batchSize too large", """{ "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true" } }""", """{ "version": "2.0", "extensions": { "queues": { "batchSize": 64 } } }""", "setting 'host.json extensions.queues.batchSize' must be a whole number from 1 to 32" },
        { "bad polling interval", """{ "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true" } }""", """{ "version": "2.0", "extensions": { "queues": { "maxPollingInterval": "soon" } } }""", "setting 'host.json extensions.queues.maxPollingInterval'" },
        { "malformed local.settings.json", """{ "Values": { "AzureWebJobsStorage": """, null, "local.settings.json' is not valid JSON" },
        { "malformed host.json", """{ "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true" } }""", """{ "version": """, "host.json' is not valid JSON" },
        { "Service Bus transport on the Host", """{ "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "OrdersTransport": "ServiceBus" } }""", null, "setting 'OrdersTransport' must be StorageQueue on the Host" },
        { "bad orders setting", """{ "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "OrdersSmtpPort": "smtp" } }""", null, "setting 'OrdersSmtpPort' must be a whole number" },
        { "bad drain timeout", """{ "Values": { "AzureWebJobsStorage": "UseDevelopmentStorage=true", "FunctionsJobs__DrainTimeout": "-5" } }""", null, "setting 'FunctionsJobs:DrainTimeout'" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_missing_or_malformed_setting_fails_start_up_with_one_line_naming_it(string name, string? localSettings, string? hostJson, string expected)
    {
        Write("local.settings.json", localSettings);
        Write("host.json", hostJson);

        await AssertStartUpFailsAsync(name, Development, expected, secret: "c2VjcmV0LWtleQ");
    }

    [Fact]
    public async Task Outside_development_a_missing_key_fails_start_up_naming_it()
    {
        Write("local.settings.json", $$"""{ "Values": { "AzureWebJobsStorage": "{{azurite.ConnectionString}}" } }""");
        await using var host = HostProcess.Start(_folder, new Dictionary<string, string?> { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" });

        Assert.Equal(1, await host.WaitForExitAsync(Timeout));
        Assert.Contains("setting 'FunctionsJobs:FunctionKey' is not set", Assert.Single(host.StandardError), StringComparison.Ordinal);
    }

    /// <summary>Settings safe outside Development, to take one away from at a time.</summary>
    private Dictionary<string, string> Production => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["FunctionsJobs__FunctionKey"] = "startup-test-function-key",
        ["FunctionsJobs__MasterKey"] = "startup-test-master-key-1",
        ["AzureFunctionsWebHost__hostid"] = "startup-test",
        ["OrdersPaymentGateway"] = "Sandbox",
    };

    public static TheoryData<string, string, string?, string> UnsafeInProduction => new()
    {
        // name, setting, value (null: left out), expected in the one line
        { "the sample's function key", "FunctionsJobs__FunctionKey", "local-dev-function-key-0001", "setting 'FunctionsJobs:FunctionKey' is the key published in local.settings.sample.json" },
        { "the sample's master key", "FunctionsJobs__MasterKey", "local-dev-master-key-00001", "setting 'FunctionsJobs:MasterKey' is the key published in local.settings.sample.json" },
        { "the sandbox gateway not chosen", "OrdersPaymentGateway", null, "setting 'OrdersPaymentGateway' is not set: outside Development the sandbox payment gateway" },
        { "an SMTP password in clear text", "OrdersSmtpSecurity", "None", "setting 'OrdersSmtpSecurity' must be StartTls or SslOnConnect" },
        { "an SMTP password maybe in clear text", "OrdersSmtpSecurity", "Auto", "setting 'OrdersSmtpSecurity' must be StartTls or SslOnConnect" },
        { "no host id", "AzureFunctionsWebHost__hostid", null, "setting 'AzureFunctionsWebHost:hostid' is not set" },
    };

    [Theory]
    [MemberData(nameof(UnsafeInProduction))]
    public async Task Outside_development_an_unsafe_setting_fails_start_up_with_one_line_naming_it(string name, string setting, string? value, string expected)
    {
        var settings = Production;
        settings["OrdersSmtpUserName"] = "orders";
        settings["OrdersSmtpPassword"] = "smtp-secret-1234";
        settings["OrdersSmtpSecurity"] = "StartTls";
        settings.Remove(setting);
        if (value is not null)
        {
            settings[setting] = value;
        }

        Write("local.settings.json", System.Text.Json.JsonSerializer.Serialize(new { Values = settings }));

        await AssertStartUpFailsAsync(name, new Dictionary<string, string?> { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" }, expected, secret: "smtp-secret-1234");
    }

    [Fact]
    public async Task Outside_development_safe_settings_start_the_host()
    {
        var port = LoopbackPorts.Free(1)[0];
        var settings = Production;
        settings["OrdersSmtpUserName"] = "orders";
        settings["OrdersSmtpPassword"] = "smtp-secret-1234";
        settings["OrdersSmtpSecurity"] = "SslOnConnect";
        Write("local.settings.json", System.Text.Json.JsonSerializer.Serialize(new { Values = settings }));
        await using var host = HostProcess.Start(_folder, new Dictionary<string, string?> { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production", ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });

        var running = await host.WaitForRunningAsync(Timeout);
        host.Terminate();

        Assert.Contains("(Production)", running, StringComparison.Ordinal);
        Assert.DoesNotContain(host.StandardOutput, l => l.Contains("startup-test-function-key", StringComparison.Ordinal));
        Assert.Equal(0, await host.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Reads_local_settings_values_lets_environment_variables_override_them_prints_development_keys_and_stops_on_sigterm()
    {
        var port = LoopbackPorts.Free(1)[0];
        Write("local.settings.json", $$"""
            {
              "IsEncrypted": false,
              "Values": {
                "AzureWebJobsStorage": "UseDevelopmentStorage=true;this is overridden below",
                "FunctionsJobs__FunctionKey": "from-local-settings-function",
                "FunctionsJobs__MasterKey": "from-local-settings-master-key"
              }
            }
            """);
        var environment = new Dictionary<string, string?>(Development)
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        };
        await using var host = HostProcess.Start(_folder, environment);

        await host.WaitForRunningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var ready = await http.GetAsync("/health/ready");
        using var admin = await http.GetAsync("/admin/queues?code=from-local-settings-master-key");
        host.Terminate();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains(host.StandardOutput, l => l.Contains("function key from-local-settings-function", StringComparison.Ordinal));
        Assert.Equal(0, await host.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Without_urls_the_host_listens_on_port_7071_like_func_start()
    {
        Write("local.settings.json", $$"""{ "Values": { "AzureWebJobsStorage": "{{azurite.ConnectionString}}" } }""");
        await using var host = HostProcess.Start(_folder, Development);

        var running = await host.WaitForRunningAsync(Timeout);
        host.Terminate();

        Assert.Contains("http://localhost:7071", running, StringComparison.Ordinal);
        Assert.Contains(host.StandardOutput, l => l.Contains("generated for this run", StringComparison.Ordinal));
        Assert.Equal(0, await host.WaitForExitAsync(Timeout));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The Host exits with code 1 and one line that says <paramref name="expected"/> and not <paramref name="secret"/>.</summary>
    private async Task AssertStartUpFailsAsync(string name, Dictionary<string, string?> environment, string expected, string secret)
    {
        await using var host = HostProcess.Start(_folder, environment);

        var exitCode = await host.WaitForExitAsync(Timeout);

        Assert.True(exitCode == 1, $"{name}: exit code {exitCode}");
        var line = Assert.Single(host.StandardError);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Development => new() { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" };

    private void Write(string file, string? content)
    {
        var path = Path.Combine(_folder, file);
        if (content is null)
        {
            File.Delete(path);
        }
        else
        {
            File.WriteAllText(path, content);
        }
    }
}
