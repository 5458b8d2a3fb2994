using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.SalesReport;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.IntegrationTests.Scheduling;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.SalesReport;

/// <summary>
/// An Orders table of the test's own, and report runs against it: each <see cref="Reporter"/> is the
/// domain as a runtime builds it, with a reports and a checkpoint container of its own, so an
/// interrupted run and an uninterrupted one can be compared side by side.
/// </summary>
internal sealed class SalesReportHarness(string connectionString)
{
    public static readonly DateOnly Day = new(2026, 11, 22);

    public string OrdersTable { get; } = $"Orders{Guid.NewGuid():N}"[..20];

    public TableClient Orders => new(connectionString, OrdersTable);

    /// <summary>Seeds <paramref name="count"/> orders of <see cref="Day"/>, and a few of the days around it.</summary>
    public async Task<IReadOnlyList<Order>> SeedAsync(int count, int seed = 1)
    {
        var orders = OrderSeeder.Generate(Day, count, seed).ToList();
        await OrderSeeder.SeedAsync(Orders, orders.Concat(OrderSeeder.Generate(Day.AddDays(-1), 40, seed + 1)).Concat(OrderSeeder.Generate(Day.AddDays(1), 40, seed + 2)));
        return orders;
    }

    public Reporter NewReporter(int blockBytes = SalesReportSettings.MinBlockBytes, LogSink? logs = null) => new(connectionString, OrdersTable, blockBytes, logs ?? new LogSink());

    /// <summary>The CSV and JSON the job would write for <paramref name="orders"/>, in the report's row order.</summary>
    public static (string Csv, string Json) Expected(IEnumerable<Order> orders)
    {
        var sorted = orders.OrderBy(o => OrderPartitions.PartitionKeyOf(o.Id), StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();
        var csv = new System.Buffers.ArrayBufferWriter<byte>();
        SalesCsv.WriteHeader(csv);
        var summary = new SalesSummary();
        var scratch = new System.Text.StringBuilder();
        foreach (var order in sorted)
        {
            SalesCsv.WriteOrder(csv, order, scratch);
            summary.Add(order);
        }

        return (System.Text.Encoding.UTF8.GetString(csv.WrittenSpan), System.Text.Encoding.UTF8.GetString(summary.ToJson(Day)));
    }

    internal sealed class Reporter : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        public Reporter(string connectionString, string ordersTable, int blockBytes, LogSink logs)
        {
            Logs = logs;
            ReportsContainer = $"reports-{Guid.NewGuid():N}"[..20];
            _services = CoreServices.Build(connectionString, logs, settings: new Dictionary<string, string?>
            {
                [OrdersSettings.OrdersTable] = ordersTable,
                [SalesReportSettings.ContainerSetting] = ReportsContainer,
                [SalesReportSettings.BlockBytesSetting] = blockBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            Reports = _services.GetRequiredService<Core.Storage.StorageAccount>().Blobs.GetBlobContainerClient(ReportsContainer);
            Checkpoints = _services.GetRequiredService<Core.Storage.StorageAccount>().Blobs.GetBlobContainerClient(
                _services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()[SchedulingSettings.CheckpointsContainerSetting]);
        }

        public LogSink Logs { get; }

        public string ReportsContainer { get; }

        public BlobContainerClient Reports { get; }

        public BlobContainerClient Checkpoints { get; }

        public BlobClient CheckpointBlob => Checkpoints.GetBlobClient($"{SalesReportSettings.FunctionName}/{SalesReportDay.Name(Day)}.json");

        public NightlySalesReportJob Job => _services.GetRequiredService<NightlySalesReportJob>();

        public JobRunner Runner => _services.GetRequiredService<JobRunner>();

        public JobRunHistory History => _services.GetRequiredService<JobRunHistory>();

        /// <summary>A manual run for <see cref="Day"/>, to its end (cancelled if <paramref name="cancellationToken"/> fires).</summary>
        public async Task<JobRun> RunAsync(CancellationToken cancellationToken = default, string? input = null)
        {
            var run = await Runner.StartAsync(Job, new JobRunRequest(JobTrigger.Manual, Input: input ?? SalesReportDay.Name(Day)), CancellationToken.None);
            return (await Runner.ExecuteAsync(Job, run, input ?? SalesReportDay.Name(Day), cancellationToken)).Run;
        }

        public Task<byte[]> CsvAsync() => ReadAsync(NightlySalesReportJob.CsvBlobName(Day));

        public Task<byte[]> JsonAsync() => ReadAsync(NightlySalesReportJob.JsonBlobName(Day));

        public ValueTask DisposeAsync() => _services.DisposeAsync();

        private async Task<byte[]> ReadAsync(string name) => (await Reports.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
    }
}
