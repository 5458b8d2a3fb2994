using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.IntegrationTests.Orders;
using FunctionsJobs.IntegrationTests.Startup;
using FunctionsJobs.Testing;
using Xunit.Abstractions;

namespace FunctionsJobs.IntegrationTests.Callbacks;

/// <summary>
/// The Host as its own process, killed with SIGKILL while orders with callbacks flow and their
/// first tries fail, then started again: every order's event reaches the receiver, signed, with
/// the order's stored status, under one id.
/// </summary>
public sealed class CallbackKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Orders = 80;
    private const string FunctionKey = "callback-kill-function-key";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly string _folder = Directory.CreateTempSubdirectory("functionsjobs-callback-kill-").FullName;
    private AzuriteServer? _azurite;
    private MailDevServer? _mail;
    private CallbackReceiver? _receiver;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "azurite"));
        _azurite = await AzuriteServer.StartAsync(Path.Combine(_folder, "azurite"));
        _mail = await MailDevServer.StartAsync();
        _receiver = await CallbackReceiver.StartAsync(CallbacksHarness.Secret);
    }

    [Fact]
    public async Task Every_order_s_event_is_delivered_after_a_kill_none_lost()
    {
        var azurite = _azurite!;
        var receiver = _receiver!;

        // Each event's first try fails, so a kill finds events staged, released and waiting for a retry.
        receiver.Respond = (_, before, _) => Task.FromResult(before == 0 ? 503 : 200);
        var inventory = new TableClient(azurite.ConnectionString, "Inventory");
        await inventory.CreateIfNotExistsAsync();
        await inventory.AddEntityAsync(new TableEntity("KILL-CB", InventoryStore.StockRowKey) { ["Name"] = "KILL-CB", ["UnitPriceCents"] = 500L, ["Available"] = 100_000 });

        var port = LoopbackPorts.Free(1)[0];
        var environment = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["FunctionsJobs__FunctionKey"] = FunctionKey,
            ["FunctionsJobs__MasterKey"] = "callback-kill-master-key-1",
            ["FunctionsJobs__QueueMessageLease"] = "00:00:03",
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.500",
            ["OrdersSmtpPort"] = _mail!.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["OrdersMailClaim"] = "00:00:03",
            [CallbackSettings.SigningSecretSetting] = CallbacksHarness.Secret,
            [CallbackSettings.AllowPrivateNetworksSetting] = "true",
            [CallbackSettings.FirstRetryDelaySetting] = "00:00:01",
            [CallbackSettings.MaxRetryDelaySetting] = "00:00:02",
            [CallbackSettings.RecoveryDelaySetting] = "00:00:02",
            [CallbackSettings.TimeoutSetting] = "00:00:05",
        };

        var first = HostProcess.Start(_folder, environment);
        await first.WaitForRunningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);

        var accepted = new ConcurrentDictionary<int, string>();
        var killAt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posting = Parallel.ForEachAsync(Enumerable.Range(0, Orders), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var token = i % 10 == 0 ? SandboxPaymentGateway.Decline : SandboxPaymentGateway.Visa;
            var body = new { customerEmail = $"c{i}@example.com", items = new[] { new { sku = "KILL-CB", quantity = 1 } }, paymentToken = token };
            accepted[i] = await HostReplicas.PostUntilAcceptedAsync([http], 0, body, $"cb-kill-{i}", (CallbackRequests.UrlHeader, receiver.Url()));
            if (accepted.Count == Orders / 2)
            {
                killAt.TrySetResult();
            }
        });

        // Killed with half the orders placed and some events already tried: some failed once and wait for a retry.
        await killAt.Task.WaitAsync(Timeout);
        await receiver.WaitUntilAsync(r => r.Count >= 10, Timeout);
        await first.KillAsync();
        var deliveredBeforeKill = receiver.Delivered.Count;
        await first.DisposeAsync();
        output.WriteLine($"killed after {accepted.Count} accepted, {deliveredBeforeKill} events delivered, {receiver.Received.Count} requests");

        await using var second = HostProcess.Start(_folder, environment);
        await second.WaitForRunningAsync(Timeout);
        await posting.WaitAsync(Timeout);
        await receiver.WaitUntilAsync(_ => receiver.Delivered.Count >= Orders, Timeout);

        var stored = new Dictionary<string, Order>();
        await foreach (var row in new TableClient(azurite.ConnectionString, "Orders").QueryAsync<TableEntity>())
        {
            stored[row.RowKey] = OrderStore.FromEntity(row);
        }

        Assert.InRange(deliveredBeforeKill, 0, Orders - 1);
        Assert.True(receiver.Received.Count(r => r.Answer == 503) >= 10);
        Assert.All(receiver.Received, r => Assert.Null(r.Problem));
        var delivered = receiver.Delivered.Values.ToDictionary(r => r.ResourceId!);
        Assert.Equal(accepted.Values.Order(), delivered.Keys.Order());
        foreach (var (id, callback) in delivered)
        {
            Assert.True(stored[id].IsTerminal, $"order {id} announced {callback.Status} but is {stored[id].Status}");
            Assert.Equal(stored[id].Status.ToString(), callback.Status);
            Assert.Equal(CallbackEvent.IdOf(OrderCallbacks.Kind, id, callback.Status!), callback.EventId);
        }

        // At least once, one id per order: any request beyond the first success repeats an event id.
        Assert.Equal(Orders, receiver.Received.Where(r => r.Answer == 200).Select(r => r.EventId).Distinct().Count());
        output.WriteLine($"{receiver.Received.Count} requests, {receiver.Received.Count(r => r.Answer == 200)} answered 200 for {Orders} events");
    }

    public async Task DisposeAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

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
