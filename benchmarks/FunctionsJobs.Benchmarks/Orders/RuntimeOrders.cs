using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FunctionsJobs.Benchmarks.Orders;

/// <summary>
/// The Host end to end: clients POST /api/orders over HTTP; the ProcessOrder queue function runs
/// the workflow against Azurite and maildev. An order counts as done when the workflow logs it
/// Completed; nothing polls the system under test.
/// </summary>
internal static class RuntimeOrders
{
    /// <param name="callback">Adds its settings, a header to each POST, and what else must be done before the requests are counted (callbacks benchmark).</param>
    public static async Task<PhaseResult> RunAsync(BenchEnvironment bench, int orders, int clients, double? rate = null, PhaseCallback? callback = null)
    {
        var timings = new OrderTimings(orders);
        var names = bench.NewNames();
        await using var host = await StartHostAsync(bench, names, timings, maxPollingInterval: null, callback);
        var before = bench.Requests.Requests;
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, orders), new ParallelOptions { MaxDegreeOfParallelism = clients }, async (i, ct) =>
        {
            await BenchEnvironment.WaitForTurnAsync(i, start, rate, ct);
            await PlaceAsync(host, timings, i, callback, ct);
        });

        await timings.AllCompleted.WaitAsync(OrdersCommand.PhaseTimeout);
        if (callback is not null)
        {
            await callback.Done().WaitAsync(OrdersCommand.PhaseTimeout);
        }

        var result = timings.Result(bench.Requests.Requests - before);
        await host.StopAsync();
        await bench.DropAsync(names);
        return result;
    }

    /// <summary>
    /// One order at a time at an idle Host: before each, the Host has had nothing to do for long
    /// enough that its orders listener polls only every <paramref name="maxPollingInterval"/> (the
    /// host.json value), as a Host between customers does. What a lone order waits for.
    /// </summary>
    public static async Task<PhaseResult> RunIdleAsync(BenchEnvironment bench, int orders, TimeSpan maxPollingInterval)
    {
        // The backoff doubles from 100 ms: after 0.1 + 0.2 + ... it waits the full interval; three
        // intervals (at least 5 s) leave it there.
        var idle = maxPollingInterval * 3 < TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : maxPollingInterval * 3;
        var timings = new OrderTimings(orders);
        var names = bench.NewNames();
        await using var host = await StartHostAsync(bench, names, timings, maxPollingInterval, callback: null);
        var before = bench.Requests.Requests;
        for (var i = 0; i < orders; i++)
        {
            await Task.Delay(idle);
            var id = await PlaceAsync(host, timings, i, callback: null, CancellationToken.None);
            await timings.CompletionOf(id).WaitAsync(OrdersCommand.PhaseTimeout);
        }

        var result = timings.Result(bench.Requests.Requests - before);
        await host.StopAsync();
        await bench.DropAsync(names);
        return result;
    }

    private static async Task<TestHost> StartHostAsync(BenchEnvironment bench, PhaseNames names, OrderTimings timings, TimeSpan? maxPollingInterval, PhaseCallback? callback)
    {
        var settings = new Dictionary<string, string>(bench.Mail.Settings)
        {
            [OrdersSettings.QueueName] = names.Queue,
            [OrdersSettings.OrdersTable] = names.Orders,
            [OrdersSettings.InventoryTable] = names.Inventory,
            [OrdersSettings.PaymentsTable] = names.Payments,
            [OrdersSettings.OutboxTable] = names.Outbox,
        };
        foreach (var (key, value) in callback?.Settings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        if (maxPollingInterval is { } interval)
        {
            settings["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        var host = await TestHost.StartAsync(bench.Azurite.ConnectionString, settings, builder =>
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(bench.Account));
            builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
            builder.Logging.AddFilter<LogSink>(null, LogLevel.Warning);
            builder.Logging.AddProvider(new CompletionWatcher(timings));
        });

        // Tables and stock exist before the clock starts, as they do for the baseline.
        await host.Services.GetRequiredService<OrdersStorage>().EnsureCreatedAsync(CancellationToken.None);
        var inventory = host.Services.GetRequiredService<InventoryStore>();
        foreach (var sku in BenchEnvironment.Skus)
        {
            await inventory.TryAddItemAsync(new CatalogItem(sku, sku, 1000, int.MaxValue / 2), CancellationToken.None);
        }

        return host;
    }

    private static async Task<string> PlaceAsync(TestHost host, OrderTimings timings, int i, PhaseCallback? callback, CancellationToken cancellationToken)
    {
        using var request = host.Request(HttpMethod.Post, "/api/orders", TestHost.FunctionKey);
        request.Content = JsonContent.Create(BenchEnvironment.Body(i));
        if (callback is not null)
        {
            request.Headers.Add(callback.Header, callback.Value);
        }

        var started = Stopwatch.GetTimestamp();
        using var response = await host.Http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"order {i}: {response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
        timings.Submitted(id, started);
        return id;
    }

    /// <summary>Hears "Order {OrderId} Completed" from the workflow: one dictionary write per order, nothing formatted.</summary>
    private sealed class CompletionWatcher(OrderTimings timings) : ILoggerProvider, ILogger
    {
        private const string Category = "FunctionsJobs.Core.Orders.OrderWorkflow";

        public ILogger CreateLogger(string categoryName) => categoryName == Category ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields
                && fields.Any(f => f is { Key: "Status", Value: "Completed" })
                && fields.FirstOrDefault(f => f.Key == "OrderId").Value is string orderId)
            {
                timings.Completed(orderId);
            }
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>A request header every order is placed with, the settings it needs, and the work that must finish before a phase is counted.</summary>
internal sealed record PhaseCallback(string Header, string Value, IReadOnlyDictionary<string, string> Settings, Func<Task> Done);
