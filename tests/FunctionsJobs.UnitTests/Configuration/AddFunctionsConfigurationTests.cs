using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host;
using FunctionsJobs.Host.Queues;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.UnitTests.Configuration;

public sealed class AddFunctionsConfigurationTests : IDisposable
{
    private const string BatchSize = "AzureFunctionsJobHost:extensions:queues:batchSize";
    private readonly TempDirectory _dir = new();

    public AddFunctionsConfigurationTests()
    {
        _dir.Write("host.json", """{ "version": "2.0", "extensions": { "queues": { "batchSize": 16, "maxPollingInterval": "00:00:02" } } }""");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Local_settings_and_host_json_values_are_visible()
    {
        _dir.Write("local.settings.json", """{ "Values": { "Queues__Orders": "from-local" } }""");
        var manager = new ConfigurationManager();

        HostApplication.AddFunctionsConfiguration(manager, _dir.Path);

        Assert.Equal("from-local", manager["Queues:Orders"]);
        Assert.Equal("00:00:02", manager["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"]);
        Assert.Equal("16", manager[BatchSize]);
    }

    [Fact]
    public void Local_settings_value_is_overridden_by_a_later_source()
    {
        _dir.Write("local.settings.json", """{ "Values": { "Queues__Orders": "from-local", "Other": "kept" } }""");
        var manager = new ConfigurationManager();

        HostApplication.AddFunctionsConfiguration(manager, _dir.Path);
        manager.AddInMemoryCollection([new("Queues:Orders", "from-environment")]);

        Assert.Equal("from-environment", manager["Queues:Orders"]);
        Assert.Equal("kept", manager["Other"]);
    }

    [Fact]
    public void Sources_added_before_stay_above_local_settings()
    {
        // WebApplicationBuilder has added appsettings, environment variables and the command line
        // by the time AddFunctionsConfiguration runs: they must keep precedence.
        _dir.Write("local.settings.json", """{ "Values": { "Queues__Orders": "from-local", "AzureFunctionsJobHost__extensions__queues__batchSize": "4" } }""");
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection([new("Queues:Orders", "from-environment"), new(BatchSize, "2")]);

        HostApplication.AddFunctionsConfiguration(manager, _dir.Path);

        Assert.Equal("from-environment", manager["Queues:Orders"]);
        Assert.Equal("2", manager[BatchSize]);
    }

    [Fact]
    public void Host_json_value_is_overridden_by_local_settings()
    {
        _dir.Write("local.settings.json", """{ "Values": { "AzureFunctionsJobHost__extensions__queues__batchSize": "4" } }""");
        var manager = new ConfigurationManager();

        HostApplication.AddFunctionsConfiguration(manager, _dir.Path);

        Assert.Equal("4", manager[BatchSize]);
        Assert.Equal("00:00:02", manager["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"]);
        var options = QueueTriggerOptions.FromConfiguration(manager);
        Assert.Equal(4, options.BatchSize);
        Assert.Equal(2, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxPollingInterval);
    }

    [Fact]
    public void Host_json_value_is_overridden_by_a_later_source()
    {
        var manager = new ConfigurationManager();

        HostApplication.AddFunctionsConfiguration(manager, _dir.Path);
        manager.AddInMemoryCollection([new(BatchSize, "32")]);

        Assert.Equal("32", manager[BatchSize]);
    }

    [Fact]
    public void Missing_local_settings_is_not_an_error()
    {
        var manager = new ConfigurationManager();

        HostApplication.AddFunctionsConfiguration(manager, _dir.Path);

        Assert.Equal("16", manager[BatchSize]);
        Assert.Null(manager["Queues:Orders"]);
    }

    [Fact]
    public void Malformed_local_settings_fails_naming_the_file()
    {
        var path = _dir.Write("local.settings.json", "{ \"Values\": ");
        var manager = new ConfigurationManager();

        var error = Assert.Throws<InvalidSettingException>(() => HostApplication.AddFunctionsConfiguration(manager, _dir.Path));

        Assert.Equal(path, error.Setting);
    }
}
