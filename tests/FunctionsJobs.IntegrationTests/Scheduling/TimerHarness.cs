using System.Text.Json;
using Azure.Storage.Blobs;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary>Hosts that run <see cref="ProbeJob"/> under one host id, with a run history table of their own.</summary>
public sealed class TimerHarness : IAsyncDisposable
{
    private readonly List<TestHost> _hosts = [];
    private readonly string _connectionString;

    /// <param name="deriveHostId">Leave the host id unset, so the Host derives it (from <c>WEBSITE_SITE_NAME</c> in <paramref name="settings"/>, say).</param>
    public TimerHarness(string connectionString, Dictionary<string, string>? settings = null, bool deriveHostId = false)
    {
        _connectionString = connectionString;
        var id = Guid.NewGuid().ToString("N")[..12];
        RunsTable = $"JobRuns{id}";
        Settings = new Dictionary<string, string>
        {
            ["AzureFunctionsWebHost:hostid"] = $"test-{id}",
            [SchedulingSettings.JobRunsTableSetting] = RunsTable,
            [SchedulingSettings.CheckpointsContainerSetting] = $"checkpoints-{id}",
            [SchedulingSettings.ProgressIntervalSetting] = "00:00:00.200",

            // The timer's per-tick lines are Debug; tests await them.
            ["AzureFunctionsJobHost:logging:logLevel:FunctionsJobs.Host.Scheduling"] = "Debug",
        };
        foreach (var (key, value) in settings ?? [])
        {
            Settings[key] = value;
        }

        if (deriveHostId)
        {
            Settings.Remove("AzureFunctionsWebHost:hostid");
        }

        Options = TimerOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(Settings!).Build());
        HostId = Options.HostId;
        Container = new BlobContainerClient(connectionString, TimerOptions.HostsContainer);
        History = new JobRunHistory(
            Core.Storage.StorageAccount.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(Settings!) { ["AzureWebJobsStorage"] = connectionString }).Build()),
            new ConfigurationBuilder().AddInMemoryCollection(Settings!).Build(),
            TimeProvider.System);
    }

    public JobProbe Probe { get; } = new();

    public string HostId { get; }

    public string RunsTable { get; }

    public Dictionary<string, string> Settings { get; }

    public TimerOptions Options { get; }

    public BlobContainerClient Container { get; }

    public JobRunHistory History { get; }

    public IReadOnlyList<TestHost> Hosts => _hosts;

    public BlobClient LockBlob => Container.GetBlobClient(Options.LockBlobName(ProbeJob.FunctionName));

    public BlobClient StatusBlob => Container.GetBlobClient(Options.StatusBlobName(ProbeJob.FunctionName));

    public async Task<TestHost> StartHostAsync()
    {
        var host = await TestHost.StartAsync(_connectionString, Settings, builder =>
        {
            builder.Services.AddSingleton(Probe);
            builder.Services.AddTimerFunction<ProbeJob>();
        });
        _hosts.Add(host);
        return host;
    }

    public async Task WriteStatusAsync(TimerStatus status)
    {
        await Container.CreateIfNotExistsAsync();
        await StatusBlob.UploadAsync(BinaryData.FromObjectAsJson(status), overwrite: true);
    }

    public async Task<TimerStatus> ReadStatusAsync() =>
        JsonSerializer.Deserialize<TimerStatus>((await StatusBlob.DownloadContentAsync()).Value.Content)!;

    public Task<IReadOnlyList<JobRun>> RunsAsync(int max = 1000) => History.ListAsync(ProbeJob.FunctionName, max, CancellationToken.None);

    /// <summary>The first run record, now or soon, that meets <paramref name="condition"/>.</summary>
    public async Task<JobRun> EventuallyRunAsync(Func<JobRun, bool> condition)
    {
        JobRun? match = null;
        await Queues.QueueHarness.EventuallyAsync(
            async () => (match = (await RunsAsync()).FirstOrDefault(condition)) is not null,
            "a run record in the expected state");
        return match!;
    }

    /// <summary><c>POST /admin/functions/ProbeJob</c> on <paramref name="host"/>, with no body.</summary>
    public static Task<HttpResponseMessage> RunByHandAsync(TestHost host) =>
        host.Http.SendAsync(host.Request(HttpMethod.Post, $"/admin/functions/{ProbeJob.FunctionName}", TestHost.MasterKey));

    /// <summary>Waits for a log entry of any host.</summary>
    public Task WaitForLogAsync(Func<LogEntry, bool> match, TimeSpan? timeout = null) =>
        Task.WhenAny(_hosts.Select(h => h.Logs.WaitForAsync(match, timeout ?? TimeSpan.FromSeconds(30)))).Unwrap();

    public async ValueTask DisposeAsync()
    {
        Probe.Gate.Release(1000);
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }
}
