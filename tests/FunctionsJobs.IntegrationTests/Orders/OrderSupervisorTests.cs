using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>
/// The order supervisor against real Azurite, maildev and the Host: stuck orders dispatched again
/// or compensated, duplicates of its messages, two passes racing, a pass racing a live delivery.
/// The Host's clock is the real one shifted forward, so "six minutes later" needs no waiting.
/// </summary>
public sealed class OrderSupervisorTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    private static readonly TimeSpan PastThreshold = TimeSpan.FromMinutes(6);

    private readonly ShiftedTimeProvider _time = new();
    private readonly RecordingOrderDispatcher _dispatcher = new();

    [Fact]
    public async Task A_stuck_order_whose_message_was_lost_is_dispatched_again_through_the_queue_and_completes()
    {
        await using var orders = await StartAsync(recordDispatches: false);
        await orders.SeedAsync("BEANS", 10);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("BEANS"), 2));

        // Within the threshold the order is left alone: its message may still be on its way.
        Assert.Equal(0, (await SuperviseAsync(orders)).ItemsProcessed);
        Assert.Equal(OrderStatus.Accepted, (await orders.OrderAsync(id)).Status);

        _time.Advance(PastThreshold);
        using var run = await orders.Host.Http.SendAsync(orders.Host.Request(HttpMethod.Post, $"/admin/functions/{OrderSupervisorSettings.FunctionName}", TestHost.MasterKey));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, run.StatusCode);

        var order = await orders.WaitForTerminalAsync(id);
        Assert.Equal(OrderStatus.Completed, order.Status);
        var supervised = Assert.Single(order.History, h => h.Step == OrderSteps.Supervise);
        Assert.Equal((OrderSteps.Redispatched, 0L), (supervised.Outcome, supervised.Attempt));
        Assert.StartsWith("stuck in Accepted since ", supervised.Detail, StringComparison.Ordinal);
        Assert.Equal(8, await orders.AvailableAsync("BEANS"));
        Assert.Single(await orders.ChargesAsync(id));
        Assert.Single(await orders.MailsAsync(id));
    }

    [Fact]
    public async Task The_re_dispatched_message_delivered_twice_reserves_charges_and_emails_once()
    {
        await using var orders = await StartAsync();
        await orders.SeedAsync("CUP", 10);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("CUP"), 3));
        _time.Advance(PastThreshold);

        Assert.Equal(1, (await SuperviseAsync(orders)).ItemsProcessed);
        var (message, messageId) = Assert.Single(_dispatcher.Sent);
        Assert.Equal((id, $"{id}-redispatch-1"), (message.OrderId, messageId));

        await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), message);

        await AssertCompletedOnceAsync(orders, id, "CUP", 7);

        // A finished order is not the supervisor's business any more.
        _time.Advance(PastThreshold);
        Assert.Equal(0, (await SuperviseAsync(orders)).ItemsProcessed);
        Assert.Single(_dispatcher.Sent);
    }

    [Fact]
    public async Task A_stuck_paid_order_past_its_last_re_dispatch_is_refunded_released_failed_and_emailed_once()
    {
        await using var orders = await StartAsync(new() { [OrderSupervisorSettings.MaxRedispatchesSetting] = "2" });
        await orders.SeedAsync("GRINDER", 5);
        var id = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("GRINDER"), 2));
        await orders.PayWithSmtpDownAsync(id);

        for (var i = 1; i <= 2; i++)
        {
            _time.Advance(PastThreshold);
            await SuperviseAsync(orders);
            Assert.Equal(i, _dispatcher.Sent.Count);
        }

        _time.Advance(PastThreshold);
        await SuperviseAsync(orders);

        Assert.Equal(2, _dispatcher.Sent.Count);
        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.StartsWith("stuck in Paid since ", order.Reason, StringComparison.Ordinal);
        Assert.EndsWith(" after 2 re-dispatches; compensated by the order supervisor", order.Reason, StringComparison.Ordinal);
        Assert.Equal(5, await orders.AvailableAsync("GRINDER"));
        Assert.Equal("Released", Assert.Single(await orders.ReservationsAsync(id)).State);
        Assert.Equal("Refunded", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        Assert.Contains(order.History, h => h is { Step: OrderSteps.Refund, Attempt: 0 } && h.Detail == $"refunded ch_{id}");
        Assert.Equal($"Order {id} failed", Assert.Single(await orders.MailsAsync(id)).Subject);

        // The re-dispatched messages arriving late change nothing.
        foreach (var (message, _) in _dispatcher.Sent)
        {
            await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), message);
        }

        Assert.Equal(OrderStatus.Failed, (await orders.OrderAsync(id)).Status);
        Assert.Equal("Refunded", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        Assert.Single(await orders.MailsAsync(id));
    }

    [Fact]
    public async Task An_order_whose_last_delivery_crashed_and_whose_message_went_to_poison_unseen_ends_compensated()
    {
        // One delivery only, so the first is the last; a short drain, so stopping the Host cuts it off.
        var settings = new Dictionary<string, string>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "1",
            ["FunctionsJobs:DrainTimeout"] = "00:00:01",
        };
        var first = await StartAsync(settings, recordDispatches: false);
        string id;
        await using (first)
        {
            await first.SeedAsync("KETTLE", 5);
            using var accepted = await first.PostAsync(OrdersHarness.Body(HangingPaymentGateway.Hang, (first.Sku("KETTLE"), 2)));
            id = await OrdersHarness.OrderIdOfAsync(accepted);
            await first.Host.Services.GetRequiredService<HangingPaymentGateway>().EnteredAsync(id);
            await first.Host.StopAsync();
        }

        // Started again, the Host finds the message past maxDequeueCount and poisons it without delivering it.
        await using var orders = await first.StartAnotherAsync(settings, Configure(recordDispatches: false));
        var poison = new QueueClient(fixture.Azurite.ConnectionString, orders.Options.QueueName + PoisonQueueNaming.Suffix);
        await QueueHarness.EventuallyAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync()).Value.Length == 1, "the order's message in poison");
        var stuck = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.StockReserved, stuck.Status);
        Assert.Contains(stuck.History, h => h is { Step: OrderSteps.LastDelivery, Detail: "attempt 1 of 1" });
        Assert.Equal(3, await orders.AvailableAsync("KETTLE"));

        _time.Advance(PastThreshold);
        await SuperviseAsync(orders);

        var order = await orders.OrderAsync(id);
        Assert.Equal(OrderStatus.Failed, order.Status);
        Assert.StartsWith("the last delivery (attempt 1 of 1) did not finish; stuck in StockReserved since ", order.Reason, StringComparison.Ordinal);
        Assert.Equal(5, await orders.AvailableAsync("KETTLE"));
        Assert.Equal("Voided", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        Assert.Equal($"Order {id} failed", Assert.Single(await orders.MailsAsync(id)).Subject);
        Assert.Single((await poison.PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task Two_supervisor_passes_racing_dispatch_each_stuck_order_once_and_compensate_each_used_up_order_once()
    {
        await using var orders = await StartAsync();
        await orders.SeedAsync("TEA", 100);
        var lost = new List<string>();
        var crashed = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            lost.Add(await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("TEA"), 1)));
            var id = await orders.AcceptAsync(HangingPaymentGateway.Hang, (orders.Sku("TEA"), 1));
            await CrashDuringChargeAsync(orders, id, attempt: 3);
            crashed.Add(id);
        }

        _time.Advance(PastThreshold);
        var passes = await Task.WhenAll(SuperviseAsync(orders), SuperviseAsync(orders));

        Assert.All(passes, p => Assert.Equal(JobOutcome.Succeeded, p.Outcome));
        Assert.Equal(lost.Order(), _dispatcher.Sent.Select(s => s.Message.OrderId).Order());
        foreach (var id in lost)
        {
            Assert.Single((await orders.OrderAsync(id)).History, h => h.Step == OrderSteps.Supervise);
        }

        foreach (var id in crashed)
        {
            var order = await orders.OrderAsync(id);
            Assert.Equal(OrderStatus.Failed, order.Status);
            Assert.Single(order.History, h => h is { Step: OrderSteps.Compensate, Outcome: OrderSteps.Started });
            Assert.Equal("Released", Assert.Single(await orders.ReservationsAsync(id)).State);
            Assert.Equal("Voided", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
            Assert.Equal($"Order {id} failed", Assert.Single(await orders.MailsAsync(id)).Subject);
        }

        await Task.WhenAll(_dispatcher.Sent.Select(s => DuplicateDelivery.DeliverRacingAsync(orders.Workflow(), orders.Workflow(), s.Message)));
        foreach (var id in lost)
        {
            Assert.Equal(OrderStatus.Completed, (await orders.OrderAsync(id)).Status);
            Assert.Single(await orders.ReservationsAsync(id));
            Assert.Single(await orders.ChargesAsync(id));
            Assert.Single(await orders.MailsAsync(id));
        }

        Assert.Equal(100 - lost.Count, await orders.AvailableAsync("TEA"));
    }

    [Fact]
    public async Task A_supervisor_pass_racing_live_deliveries_leaves_one_reservation_one_charge_one_email_and_a_terminal_order()
    {
        await using var orders = await StartAsync();
        await orders.SeedAsync("PRESS", 100);
        var lost = new List<string>();
        var crashed = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            lost.Add(await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("PRESS"), 1)));
            var id = await orders.AcceptAsync(HangingPaymentGateway.Hang, (orders.Sku("PRESS"), 1));
            await CrashDuringChargeAsync(orders, id, attempt: 3);
            crashed.Add(id);
        }

        _time.Advance(PastThreshold);

        // The lost orders' messages turn up after all, and the crashed orders' messages are delivered
        // once more (a second consumer), just as the supervisor acts on every one of them.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = lost.Select(id => (Id: id, Attempt: 1L)).Concat(crashed.Select(id => (Id: id, Attempt: 3L))).Select(d => Task.Run(async () =>
        {
            await start.Task;
            await orders.Workflow().ProcessAsync(d.Id, d.Attempt, orders.Options.MaxDequeueCount, CancellationToken.None);
        }));
        var pass = Task.Run(async () =>
        {
            await start.Task;
            return await SuperviseAsync(orders);
        });
        start.SetResult();
        await Task.WhenAll(deliveries);
        Assert.Equal(JobOutcome.Succeeded, (await pass).Outcome);

        // Whatever the supervisor dispatched arrives too, twice.
        foreach (var (message, _) in _dispatcher.Sent)
        {
            await DuplicateDelivery.DeliverTwiceAsync(orders.Workflow(), message);
        }

        foreach (var id in lost.Concat(crashed))
        {
            var order = await orders.OrderAsync(id);
            Assert.True(order.IsTerminal, $"order {id} is {order.Status}");
            var reservation = Assert.Single(await orders.ReservationsAsync(id));
            var charge = Assert.Single(await orders.ChargesAsync(id));
            var mail = Assert.Single(await orders.MailsAsync(id));
            if (order.Status == OrderStatus.Completed)
            {
                Assert.Equal(("Reserved", "Succeeded", $"Order {id} confirmed"), (reservation.State, charge.GetString("State"), mail.Subject));
            }
            else
            {
                Assert.Equal(OrderStatus.Failed, order.Status);
                Assert.Equal("Released", reservation.State);
                Assert.Contains(charge.GetString("State"), new[] { "Refunded", "Voided" });
                Assert.Equal($"Order {id} failed", mail.Subject);
            }
        }

        var held = 0;
        foreach (var id in lost.Concat(crashed))
        {
            var status = (await orders.OrderAsync(id)).Status;
            Assert.True(status == OrderStatus.Completed || crashed.Contains(id), $"lost order {id} is {status}");
            held += status == OrderStatus.Completed ? 1 : 0;
        }

        Assert.Equal(100 - held, await orders.AvailableAsync("PRESS"));
    }

    [Fact]
    public async Task A_pass_reads_only_the_stuck_orders_of_its_lookback_days_not_every_order_of_the_day()
    {
        var requests = new OrderQueries();
        await using var orders = await StartAsync(configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton(
            StorageAccount.FromConfiguration(builder.Configuration, configureClients: o => o.AddPolicy(requests, HttpPipelinePosition.PerCall)))));
        await orders.SeedAsync("MUG", 10);
        var now = _time.GetUtcNow();

        // 1,600 finished orders of today (older than the threshold too), a healthy one in flight, three
        // stuck ones, and a stuck one from three days ago, beyond the two days a pass reads.
        var finished = Enumerable.Range(0, 1600).Select(i => NewOrder(now.AddMinutes(-30), (OrderStatus)(3 + (i % 3)))).ToList();
        await InsertAsync(orders, [.. finished, NewOrder(now + PastThreshold - TimeSpan.FromMinutes(1), OrderStatus.Paid), NewOrder(now.AddDays(-3), OrderStatus.Accepted)]);
        var stuck = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            stuck.Add(await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("MUG"), 1)));
        }

        _time.Advance(PastThreshold);
        requests.Start(orders.Options.OrdersTableName);
        var pass = await SuperviseAsync(orders);

        Assert.Equal(3, pass.ItemsProcessed);
        Assert.Equal(stuck.Order(), _dispatcher.Sent.Select(s => s.Message.OrderId).Order());
        Assert.Equal(3, requests.RowsReturned);
        Assert.InRange(requests.Queries, 2, 2 * (OrderPartitions.ShardCount + 1));
    }

    private Task<OrdersHarness> StartAsync(Dictionary<string, string>? settings = null, bool recordDispatches = true, Action<WebApplicationBuilder>? configure = null)
    {
        var all = new Dictionary<string, string>(settings ?? [])
        {
            // Only the test runs the supervisor: its schedule (once a year) never comes due.
            [OrderSupervisorSettings.ScheduleSetting] = "0 0 0 1 1 *",
        };
        return OrdersHarness.StartAsync(fixture, all, Configure(recordDispatches) + configure);
    }

    private Action<WebApplicationBuilder> Configure(bool recordDispatches) => builder =>
    {
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton(sp => new HangingPaymentGateway(ActivatorUtilities.CreateInstance<SandboxPaymentGateway>(sp)));
        builder.Services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<HangingPaymentGateway>());
        if (recordDispatches)
        {
            builder.Services.AddSingleton<IOrderDispatcher>(_dispatcher);
        }
    };

    private static async Task<JobRun> SuperviseAsync(OrdersHarness orders) =>
        await orders.Host.Services.GetRequiredService<JobRunner>().RunAsync(
            orders.Host.Services.GetRequiredService<OrderSupervisorJob>(), new JobRunRequest(JobTrigger.Manual), CancellationToken.None);

    /// <summary>A delivery cut off while the order's first charge hangs: the process died, as far as the record can tell.</summary>
    private static async Task CrashDuringChargeAsync(OrdersHarness orders, string id, long attempt)
    {
        using var crash = new CancellationTokenSource();
        var delivery = orders.Workflow().ProcessAsync(id, attempt, orders.Options.MaxDequeueCount, crash.Token);
        await orders.Host.Services.GetRequiredService<HangingPaymentGateway>().EnteredAsync(id);
        await crash.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);
        Assert.Equal(OrderStatus.StockReserved, (await orders.OrderAsync(id)).Status);
    }

    private static Order NewOrder(DateTimeOffset at, OrderStatus status) => new()
    {
        Id = OrderId.New(at),
        CustomerEmail = OrdersHarness.Customer,
        PaymentToken = SandboxPaymentGateway.Visa,
        Lines = [new OrderLine("MUG", 1, 100)],
        CreatedAt = at,
        UpdatedAt = at,
        Status = status,
    };

    private static async Task InsertAsync(OrdersHarness orders, IEnumerable<Order> all)
    {
        await orders.Storage.EnsureCreatedAsync(CancellationToken.None);
        foreach (var batch in all.Select(OrderStore.ToEntity).GroupBy(e => e.PartitionKey).SelectMany(g => g.Chunk(100)))
        {
            await orders.Storage.Orders.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)));
        }
    }

    private static async Task AssertCompletedOnceAsync(OrdersHarness orders, string id, string sku, int available)
    {
        Assert.Equal(OrderStatus.Completed, (await orders.OrderAsync(id)).Status);
        Assert.Equal("Reserved", Assert.Single(await orders.ReservationsAsync(id)).State);
        Assert.Equal("Succeeded", Assert.Single(await orders.ChargesAsync(id)).GetString("State"));
        Assert.Single(await orders.MailsAsync(id));
        Assert.Equal(available, await orders.AvailableAsync(sku));
    }

    /// <summary>Counts the queries of one table from <see cref="Start"/> on, and the rows they returned.</summary>
    private sealed class OrderQueries : HttpPipelinePolicy
    {
        private string? _table;
        private int _queries;
        private int _rows;

        public int Queries => Volatile.Read(ref _queries);

        public int RowsReturned => Volatile.Read(ref _rows);

        public void Start(string table) => Volatile.Write(ref _table, table);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            var table = Volatile.Read(ref _table);
            if (table is null || message.Request.Method != RequestMethod.Get || !message.Request.Uri.Path.EndsWith($"/{table}()", StringComparison.Ordinal))
            {
                return;
            }

            Interlocked.Increment(ref _queries);
            using var page = JsonDocument.Parse(message.Response.Content);
            Interlocked.Add(ref _rows, page.RootElement.GetProperty("value").GetArrayLength());
        }
    }
}
