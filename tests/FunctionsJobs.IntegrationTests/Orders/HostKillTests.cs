using System.Collections.Concurrent;
using Azure.Data.Tables;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Testing;
using Xunit.Abstractions;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>
/// Three Host processes on one storage account, one of them killed with SIGKILL while 500 orders
/// flow and started again: what a power cut of one replica does. Azurite keeps its data on disk;
/// clients retry with their Idempotency-Key, on the next replica while one is down.
/// </summary>
public sealed class HostKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Orders = 500;
    private const int Replicas = 3;
    private readonly string _folder = Directory.CreateTempSubdirectory("functionsjobs-kill-").FullName;
    private AzuriteServer? _azurite;
    private MailDevServer? _mail;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "azurite"));
        _azurite = await AzuriteServer.StartAsync(Path.Combine(_folder, "azurite"));
        _mail = await MailDevServer.StartAsync();
    }

    [Fact]
    public async Task With_one_of_three_replicas_killed_and_restarted_every_order_reaches_a_terminal_state_none_lost_none_charged_or_emailed_twice()
    {
        var azurite = _azurite!;
        var mail = _mail!;
        var inventory = new TableClient(azurite.ConnectionString, "Inventory");
        await inventory.CreateIfNotExistsAsync();
        string[] skus = ["KILL-A", "KILL-B", "KILL-C", "KILL-D"];
        foreach (var sku in skus)
        {
            await inventory.AddEntityAsync(new TableEntity(sku, InventoryStore.StockRowKey) { ["Name"] = sku, ["UnitPriceCents"] = 500L, ["Available"] = 100_000 });
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var replicas = await HostReplicas.StartAsync(_folder, azurite, mail, Replicas);
        var started = clock.Elapsed;

        // One in twenty is declined and compensated, one in twenty fails twice before it is charged.
        static string TokenOf(int i) => (i % 20) switch { 0 => SandboxPaymentGateway.Decline, 1 => SandboxPaymentGateway.Transient, _ => SandboxPaymentGateway.Visa };
        var accepted = new ConcurrentDictionary<int, string>();
        var killAt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posting = Parallel.ForEachAsync(Enumerable.Range(0, Orders), new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (i, ct) =>
        {
            var body = new { customerEmail = $"customer{i}@example.com", items = new[] { new { sku = skus[i % skus.Length], quantity = 1 + (i % 3) } }, paymentToken = TokenOf(i) };
            accepted[i] = await replicas.PostUntilAcceptedAsync(i, body, $"kill-{i}");
            if (accepted.Count == Orders / 2)
            {
                killAt.TrySetResult();
            }
        });

        await killAt.Task.WaitAsync(HostReplicas.Timeout);
        await replicas.KillAsync(0);
        var completedBeforeKill = await HostReplicas.CountTerminalAsync(new TableClient(azurite.ConnectionString, "Orders"));
        output.WriteLine($"{clock.Elapsed}: replica 0 killed after {accepted.Count} accepted, {completedBeforeKill} terminal");

        await replicas.StartAsync(0);
        await posting.WaitAsync(HostReplicas.Timeout);
        output.WriteLine($"{clock.Elapsed}: replica 0 restarted, all {Orders} accepted");

        var stored = await HostReplicas.WaitUntilAllTerminalAsync(azurite, Orders);
        output.WriteLine($"{clock.Elapsed}: all {Orders} terminal ({started} of it starting {Replicas} replicas)");

        // Killed in the middle: some orders were done, some were not.
        Assert.InRange(completedBeforeKill, 1, Orders - 1);
        Assert.Equal(Orders, accepted.Values.Distinct().Count());
        Assert.Equal(accepted.Values.Order(), stored.Keys.Order());
        foreach (var (i, id) in accepted)
        {
            var expected = TokenOf(i) == SandboxPaymentGateway.Decline ? OrderStatus.Failed : OrderStatus.Completed;
            Assert.True(stored[id].Status == expected, $"order {i} ({id}) is {stored[id].Status}, not {expected}: {stored[id].Reason}");
        }

        // One charge decision per order; the amounts charged are the amounts ordered.
        var charges = new Dictionary<string, TableEntity>();
        await foreach (var row in new TableClient(azurite.ConnectionString, "Payments").QueryAsync<TableEntity>(e => e.RowKey == "charge"))
        {
            Assert.True(charges.TryAdd(row.PartitionKey, row), $"two charges for {row.PartitionKey}");
        }

        Assert.Equal(stored.Keys.Order(), charges.Keys.Order());
        Assert.All(stored.Values.Where(o => o.Status == OrderStatus.Completed), o => Assert.Equal(o.TotalCents, charges[o.Id].GetInt64("AmountCents")));

        // Stock went down by exactly what the completed orders hold.
        foreach (var sku in skus)
        {
            var held = stored.Values.Where(o => o.Status == OrderStatus.Completed).SelectMany(o => o.Lines).Where(l => l.Sku == sku).Sum(l => l.Quantity);
            var stock = (await inventory.GetEntityAsync<TableEntity>(sku, InventoryStore.StockRowKey)).Value;
            Assert.Equal(100_000 - held, stock.GetInt32("Available"));
        }

        // One e-mail per order. A second copy can only come from the documented window (killed
        // after the SMTP server took it, before the outbox said Sent): then it carries the same
        // Message-ID, and its outbox row shows the claim was taken over.
        var mails = (await mail.MessagesAsync()).GroupBy(m => m.OrderId!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(stored.Keys.Order(), mails.Keys.Order());
        var outbox = new TableClient(azurite.ConnectionString, "OrdersOutbox");
        foreach (var (id, copies) in mails)
        {
            Assert.Single(copies.Select(m => m.MessageId).Distinct());
            if (copies.Count > 1)
            {
                output.WriteLine($"order {id}: {copies.Count} copies of {copies[0].MessageId} (crash window)");
                var row = (await outbox.GetEntityAsync<TableEntity>(id, MailOutbox.RowKeyOf(stored[id].Status == OrderStatus.Completed ? OrderMailKind.Confirmation : OrderMailKind.Failed))).Value;
                Assert.True(row.GetInt32("Attempts") > 1, $"order {id} was e-mailed {copies.Count} times without a crash in between");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_mail is not null)
        {
            await _mail.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
