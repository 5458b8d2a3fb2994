using System.Diagnostics.Metrics;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsJobs.UnitTests.Telemetry;

/// <summary>The dashboard's throughput: the queue counter read in-process, per minute, for the last hour.</summary>
public sealed class QueueThroughputTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 30, TimeSpan.Zero));
    private readonly ServiceProvider _services;

    public QueueThroughputTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddJobsTelemetry();
        _services = services.BuildServiceProvider();
    }

    [Fact]
    public async Task Outcomes_land_in_the_minute_they_happened_and_age_out_after_an_hour()
    {
        var metrics = _services.GetRequiredService<QueueFunctionMetrics>();
        var throughput = _services.GetRequiredService<QueueThroughput>();

        await metrics.HandleAsync("ProcessOrder", new Handler(fail: false), "m", Context, CancellationToken.None);
        await metrics.HandleAsync("ProcessOrder", new Handler(fail: false), "m", Context, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => metrics.HandleAsync("ProcessOrder", new Handler(fail: true), "m", Context, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(2));
        metrics.Poisoned("ProcessOrder", "orders");

        var view = throughput.Read();
        var series = Assert.Single(view.Functions);
        Assert.Equal(QueueThroughput.Minutes, series.Handled.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 11, 3, 0, TimeSpan.Zero), view.Since);
        Assert.Equal(2, series.Handled[^3]);
        Assert.Equal(1, series.Failed[^3]);
        Assert.Equal(1, series.Poisoned[^1]);
        Assert.Equal(3, series.Handled.Sum() + series.Failed.Sum());

        // An hour on, the same ring slots hold new minutes: the old counts are gone, not added to.
        _time.Advance(TimeSpan.FromMinutes(58));
        await metrics.HandleAsync("ProcessOrder", new Handler(fail: false), "m", Context, CancellationToken.None);
        series = Assert.Single(throughput.Read().Functions);
        Assert.Equal(1, series.Handled.Sum());
        Assert.Equal(1, series.Handled[^1]);
        Assert.Equal(0, series.Failed.Sum());
        Assert.Equal(1, series.Poisoned[^59]);
    }

    [Fact]
    public async Task Another_service_providers_meter_is_not_counted()
    {
        using var other = new ServiceCollection().AddSingleton<TimeProvider>(_time).AddJobsTelemetry().BuildServiceProvider();
        await other.GetRequiredService<QueueFunctionMetrics>().HandleAsync("Elsewhere", new Handler(fail: false), "m", Context, CancellationToken.None);

        Assert.Empty(_services.GetRequiredService<QueueThroughput>().Read().Functions);
    }

    public void Dispose() => _services.Dispose();

    private static QueueMessageContext Context => new("orders", "id-1", 1, null);

    private sealed class Handler(bool fail) : IQueueHandler<string>
    {
        public Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken) =>
            fail ? throw new InvalidOperationException("handler failed") : Task.CompletedTask;
    }
}
