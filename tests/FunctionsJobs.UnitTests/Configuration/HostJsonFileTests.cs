using Azure.Storage.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Configuration;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Testing;

namespace FunctionsJobs.UnitTests.Configuration;

public sealed class HostJsonFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Values_are_flattened_under_the_functions_host_prefix()
    {
        var path = _dir.Write("host.json", """
            {
              "version": "2.0",
              "extensions": {
                "queues": {
                  "batchSize": 16,
                  "maxPollingInterval": "00:00:02",
                  "messageEncoding": "base64"
                }
              },
              "logging": { "applicationInsights": { "samplingSettings": { "isEnabled": true } } },
              "watchDirectories": [ "a", "b" ],
              "functionTimeout": null
            }
            """);

        var values = HostJsonFile.Read(path);

        Assert.Equal("2.0", values["AzureFunctionsJobHost:version"]);
        Assert.Equal("16", values["AzureFunctionsJobHost:extensions:queues:batchSize"]);
        Assert.Equal("00:00:02", values["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"]);
        Assert.Equal("base64", values["AzureFunctionsJobHost:extensions:queues:messageEncoding"]);
        Assert.Equal("true", values["AzureFunctionsJobHost:logging:applicationInsights:samplingSettings:isEnabled"]);
        Assert.Equal("a", values["AzureFunctionsJobHost:watchDirectories:0"]);
        Assert.Equal("b", values["AzureFunctionsJobHost:watchDirectories:1"]);
        Assert.True(values.ContainsKey("AzureFunctionsJobHost:functionTimeout"));
        Assert.Null(values["AzureFunctionsJobHost:functionTimeout"]);
        Assert.All(values.Keys, k => Assert.StartsWith("AzureFunctionsJobHost:", k, StringComparison.Ordinal));
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var path = _dir.Write("host.json", """
            {
              // queue semantics
              "extensions": { "queues": { "batchSize": 8, /* smaller */ }, },
            }
            """);

        var values = HostJsonFile.Read(path);

        Assert.Equal("8", Assert.Single(values).Value);
    }

    [Fact]
    public void Flattened_values_feed_the_queue_options()
    {
        var path = _dir.Write("host.json", """{ "extensions": { "queues": { "batchSize": 20, "visibilityTimeout": "00:00:10" } } }""");

        var config = TestConfig.From(HostJsonFile.Read(path).Select(kv => (kv.Key, kv.Value)).ToArray());
        var options = QueueTriggerOptions.FromConfiguration(config);

        Assert.Equal(20, options.BatchSize);
        Assert.Equal(10, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromSeconds(10), options.VisibilityTimeout);
    }

    [Fact]
    public void The_repository_host_json_is_valid()
    {
        var path = Path.Combine(RepositoryPaths.Root, "host.json");

        var options = QueueTriggerOptions.FromConfiguration(TestConfig.From(HostJsonFile.Read(path).Select(kv => (kv.Key, kv.Value)).ToArray()));

        Assert.Equal(16, options.BatchSize);
        Assert.Equal(QueueMessageEncoding.Base64, options.MessageEncoding);
    }

    [Theory]
    [InlineData("{ \"extensions\": ")]
    [InlineData("version: 2.0")]
    [InlineData("")]
    public void Malformed_json_names_the_file(string content)
    {
        var path = _dir.Write("host.json", content);

        var error = Assert.Throws<InvalidSettingException>(() => HostJsonFile.Read(path));

        Assert.Equal(path, error.Setting);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_prefers_the_content_root()
    {
        var path = _dir.Write("host.json", "{}");

        Assert.Equal(path, HostJsonFile.Locate(_dir.Path));
    }

    [Fact]
    public void Locate_falls_back_to_the_binaries_directory()
    {
        var located = HostJsonFile.Locate(_dir.Path);

        var besideBinaries = Path.Combine(AppContext.BaseDirectory, "host.json");
        Assert.Equal(File.Exists(besideBinaries) ? besideBinaries : null, located);
    }
}
