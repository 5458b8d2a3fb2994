using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.IntegrationTests.Startup;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace FunctionsJobs.IntegrationTests.SalesReport;

/// <summary>The report in a Host process that is SIGKILLed mid-run, then started again.</summary>
public sealed class SalesReportProcessTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string MasterKey = "sales-master-key-000001";
    private const int BlocksBeforeKill = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _folder = Directory.CreateTempSubdirectory("functionsjobs-sales-").FullName;

    [Fact]
    public async Task A_report_killed_mid_run_resumes_in_a_new_process_and_is_byte_identical_to_an_uninterrupted_run()
    {
        var harness = new SalesReportHarness(azurite.ConnectionString);
        var orders = await harness.SeedAsync(2000);
        await using var uninterrupted = harness.NewReporter();
        await uninterrupted.RunAsync();

        var id = Guid.NewGuid().ToString("N")[..12];
        var environment = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["FunctionsJobs__MasterKey"] = MasterKey,
            ["FunctionsJobs__FunctionKey"] = "sales-function-key-0001",
            ["FunctionsJobs__DrainTimeout"] = "00:00:01",
            ["FunctionsJobs__Timers__LockPeriod"] = "00:00:15",
            ["AzureFunctionsWebHost__hostid"] = $"sales-{id}",
            [SchedulingSettings.JobRunsTableSetting] = $"JobRuns{id}",
            [SchedulingSettings.CheckpointsContainerSetting] = $"checkpoints-{id}",
            [OrdersSettings.OrdersTable] = harness.OrdersTable,
            [SalesReportSettings.ContainerSetting] = $"reports-{id}",
            [SalesReportSettings.BlockBytesSetting] = SalesReportSettings.MinBlockBytes.ToString(CultureInfo.InvariantCulture),
            ["AzureFunctionsJobHost__logging__logLevel__FunctionsJobs.Core.SalesReport"] = "Debug",
        };

        string firstRun;
        await using (var first = Start(environment, out var firstUrl))
        {
            await first.WaitForRunningAsync(Timeout);
            firstRun = await StartRunAsync(firstUrl);
            // The signal: the process says it wrote a checkpoint; a run killed after it has something to resume.
            var line = await first.WaitForOutputAsync(l => l.Contains($"checkpoint after block {BlocksBeforeKill},", StringComparison.Ordinal), Timeout);
            await first.KillAsync();
            output.WriteLine($"killed the first Host after: {line}");
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(environment)).Build();
        var storage = Core.Storage.StorageAccount.FromConfiguration(configuration);
        var checkpoint = storage.Blobs.GetBlobContainerClient($"checkpoints-{id}").GetBlobClient($"{SalesReportSettings.FunctionName}/{SalesReportDay.Name(SalesReportHarness.Day)}.json");
        var reports = storage.Blobs.GetBlobContainerClient($"reports-{id}");
        Assert.True(await checkpoint.ExistsAsync(), "the killed run left its checkpoint");
        Assert.False(await reports.GetBlobClient(NightlySalesReportJob.JsonBlobName(SalesReportHarness.Day)).ExistsAsync(), "the killed run had not finished");

        await using var second = Start(environment, out var secondUrl);
        await second.WaitForRunningAsync(Timeout);
        // The dead process still holds the run lock until its lease lapses: 409 until then.
        var secondRun = await StartRunAsync(secondUrl);
        var history = new JobRunHistory(storage, configuration, TimeProvider.System);
        JobRun? finished = null;
        await QueueHarness.EventuallyAsync(
            async () => (finished = (await history.ListAsync(SalesReportSettings.FunctionName, 10, CancellationToken.None)).FirstOrDefault(r => r.RunId == secondRun && r.Outcome != JobOutcome.Running)) is not null,
            "the second Host's run to end",
            Timeout);

        Assert.Equal(JobOutcome.Succeeded, finished!.Outcome);
        Assert.Equal(orders.Count, finished.ItemsProcessed);
        Assert.NotEqual(firstRun, secondRun);
        var resuming = Assert.Single(second.StandardOutput, l => l.Contains("resuming", StringComparison.Ordinal));
        // A checkpoint or two more may land between the signal and the kill; none can be missing.
        Assert.InRange(int.Parse(Regex.Match(resuming, @"(\d+) blocks").Groups[1].Value, CultureInfo.InvariantCulture), BlocksBeforeKill, BlocksBeforeKill + 5);
        Assert.Equal(await uninterrupted.CsvAsync(), (await reports.GetBlobClient(NightlySalesReportJob.CsvBlobName(SalesReportHarness.Day)).DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(await uninterrupted.JsonAsync(), (await reports.GetBlobClient(NightlySalesReportJob.JsonBlobName(SalesReportHarness.Day)).DownloadContentAsync()).Value.Content.ToArray());
        Assert.False(await checkpoint.ExistsAsync());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private HostProcess Start(Dictionary<string, string?> environment, out Uri url)
    {
        url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{LoopbackPorts.Free(1)[0]}"));
        return HostProcess.Start(_folder, new Dictionary<string, string?>(environment) { ["ASPNETCORE_URLS"] = url.ToString() });
    }

    /// <summary>POST /admin/functions/NightlySalesReport for the harness's day; retried while the run lock is held. Returns the run id.</summary>
    private static async Task<string> StartRunAsync(Uri host)
    {
        using var http = new HttpClient { BaseAddress = host };
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/functions/{SalesReportSettings.FunctionName}")
            {
                Content = JsonContent.Create(new { input = SalesReportDay.Name(SalesReportHarness.Day) }),
            };
            request.Headers.Add("x-functions-key", MasterKey);
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return body.RootElement.GetProperty("id").GetString()!;
            }

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the run lock was never free");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }
}
