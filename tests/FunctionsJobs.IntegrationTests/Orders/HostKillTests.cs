using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.IntegrationTests.Startup;
using FunctionsJobs.Testing;
using Xunit.Abstractions;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>
/// The Host as its own process, killed with SIGKILL while 500 orders flow and started again: what a
/// power cut does. Azurite keeps its data on disk; clients retry with their Idempotency-Key.
/// </summary>
public sealed class HostKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Orders = 500;
    private const string FunctionKey = "kill-test-function-key-01";
    /// <summary>About 40 s on an idle machine; generous, because CI machines are shared.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
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
    public async Task Every_order_reaches_a_terminal_state_none_lost_none_charged_or_emailed_twice()
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

        var port = LoopbackPorts.Free(1)[0];
        var environment = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["FunctionsJobs__FunctionKey"] = FunctionKey,
            ["FunctionsJobs__MasterKey"] = "kill-test-master-key-0001",
            ["FunctionsJobs__QueueMessageLease"] = "00:00:03",
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.500",
            ["OrdersSmtpPort"] = mail.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["OrdersMailClaim"] = "00:00:03",
        };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var first = HostProcess.Start(_folder, environment);
        await first.WaitForRunningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);

        // One in twenty is declined and compensated, one in twenty fails twice before it is charged.
        static string TokenOf(int i) => (i % 20) switch { 0 => SandboxPaymentGateway.Decline, 1 => SandboxPaymentGateway.Transient, _ => SandboxPaymentGateway.Visa };
        var accepted = new ConcurrentDictionary<int, string>();
        var killAt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posting = Parallel.ForEachAsync(Enumerable.Range(0, Orders), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var body = new { customerEmail = $"customer{i}@example.com", items = new[] { new { sku = skus[i % skus.Length], quantity = 1 + (i % 3) } }, paymentToken = TokenOf(i) };
            accepted[i] = await PostUntilAcceptedAsync(http, body, $"kill-{i}");
            if (accepted.Count == Orders / 2)
            {
                killAt.TrySetResult();
            }
        });

        await killAt.Task.WaitAsync(Timeout);
        await first.KillAsync();
        var completedBeforeKill = await CountTerminalAsync(azurite);
        await first.DisposeAsync();
        output.WriteLine($"{clock.Elapsed}: killed after {accepted.Count} accepted, {completedBeforeKill} terminal");

        await using var second = HostProcess.Start(_folder, environment);
        await second.WaitForRunningAsync(Timeout);
        await posting.WaitAsync(Timeout);
        output.WriteLine($"{clock.Elapsed}: restarted, all {Orders} accepted");

        var orders = new TableClient(azurite.ConnectionString, "Orders");
        await QueueHarness.EventuallyAsync(async () => await CountTerminalAsync(azurite) == Orders, "every order terminal", Timeout);
        output.WriteLine($"{clock.Elapsed}: all terminal");

        // Killed in the middle: some orders were done, some were not.
        Assert.InRange(completedBeforeKill, 1, Orders - 1);
        Assert.Equal(Orders, accepted.Values.Distinct().Count());
        var stored = new Dictionary<string, Order>();
        await foreach (var row in orders.QueryAsync<TableEntity>())
        {
            stored[row.RowKey] = OrderStore.FromEntity(row);
        }

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

    /// <summary>A client that retries, with its Idempotency-Key, until the order is accepted: whatever the Host did before it died.</summary>
    /// <param name="headers">More headers of each request (a Callback-Url).</param>
    internal static async Task<string> PostUntilAcceptedAsync(HttpClient http, object body, string key, params (string Name, string Value)[] headers)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", key);
                foreach (var (name, value) in headers)
                {
                    request.Headers.Add(name, value);
                }

                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                }

                Assert.True(response.StatusCode >= HttpStatusCode.InternalServerError, $"order {key}: {response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                // The Host is down or restarting: try again, as any client would.
            }

            await Task.Delay(100);
        }
    }

    private static async Task<int> CountTerminalAsync(AzuriteServer azurite)
    {
        var count = 0;
        await foreach (var row in new TableClient(azurite.ConnectionString, "Orders").QueryAsync<TableEntity>(select: ["Status"]))
        {
            if (row.GetString("Status") is "Completed" or "Rejected" or "Failed")
            {
                count++;
            }
        }

        return count;
    }
}
