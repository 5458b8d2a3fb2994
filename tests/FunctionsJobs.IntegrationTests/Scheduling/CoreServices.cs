using FunctionsJobs.Core;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary>The domain as the Functions worker builds it (no Host), against Azurite, on a clock the test may fake.</summary>
internal static class CoreServices
{
    public static ServiceProvider Build(string connectionString, LogSink logs, TimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["JobRunsTableName"] = $"JobRuns{id}",
            ["JobCheckpointsContainerName"] = $"checkpoints-{id}",
            ["PoisonReasonsTableName"] = $"PoisonReasons{id}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddFunctionsJobsCore(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
