using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.IntegrationTests.Startup;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>
/// Replicas of one deployment: Host processes on one storage account and one SMTP server, each on
/// a port of its own, and clients that post orders to them as a load balancer would spread them,
/// trying the next replica while one is down.
/// </summary>
public sealed class HostReplicas : IAsyncDisposable
{
    public const string FunctionKey = "replica-function-key-001";

    /// <summary>Generous: the machines that run the tests are shared.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private readonly string _folder;
    private readonly Dictionary<string, string?> _environment;
    private readonly int[] _ports;
    private readonly HostProcess?[] _processes;
    private readonly HttpClient[] _clients;

    private HostReplicas(string folder, Dictionary<string, string?> environment, int[] ports)
    {
        _folder = folder;
        _environment = environment;
        _ports = ports;
        _processes = new HostProcess?[ports.Length];
        _clients = [.. ports.Select(port =>
        {
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);
            return client;
        })];
    }

    public int Count => _ports.Length;

    /// <summary>Starts <paramref name="count"/> replicas and waits until each reports it is running.</summary>
    public static async Task<HostReplicas> StartAsync(string folder, AzuriteServer azurite, MailDevServer mail, int count)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["FunctionsJobs__FunctionKey"] = FunctionKey,
            ["FunctionsJobs__MasterKey"] = "replica-master-key-00001",
            ["FunctionsJobs__QueueMessageLease"] = "00:00:03",
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.500",
            ["OrdersSmtpPort"] = mail.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["OrdersMailClaim"] = "00:00:03",
        };
        var replicas = new HostReplicas(folder, environment, LoopbackPorts.Free(count));
        await Task.WhenAll(Enumerable.Range(0, count).Select(replicas.StartAsync));
        return replicas;
    }

    /// <summary>Starts replica <paramref name="index"/> (again) on its port and waits until it runs.</summary>
    public async Task StartAsync(int index)
    {
        var environment = new Dictionary<string, string?>(_environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_ports[index]}" };
        var process = HostProcess.Start(_folder, environment);
        _processes[index] = process;
        await process.WaitForRunningAsync(Timeout);
    }

    /// <summary>SIGKILL: the replica dies where it stands, with no drain and no lease released.</summary>
    public async Task KillAsync(int index)
    {
        var process = _processes[index] ?? throw new InvalidOperationException($"replica {index} is not running");
        await process.KillAsync();
        await process.DisposeAsync();
        _processes[index] = null;
    }

    /// <summary>
    /// Posts until some replica accepts, starting with replica <paramref name="client"/> mod count and
    /// moving on while one is down, with the same Idempotency-Key: whatever a replica did before it
    /// died, the order is placed once.
    /// </summary>
    public Task<string> PostUntilAcceptedAsync(int client, object body, string idempotencyKey) =>
        PostUntilAcceptedAsync(_clients, client, body, idempotencyKey);

    /// <summary>The same against any Hosts' clients; <paramref name="headers"/> go with each request (a Callback-Url).</summary>
    public static async Task<string> PostUntilAcceptedAsync(
        IReadOnlyList<HttpClient> clients, int client, object body, string idempotencyKey, params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var deadline = DateTime.UtcNow + Timeout;
        for (var attempt = 0; ; attempt++)
        {
            var http = clients[(client + attempt) % clients.Count];
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", idempotencyKey);
                foreach (var (name, value) in headers)
                {
                    request.Headers.Add(name, value);
                }

                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                }

                Assert.True(response.StatusCode >= HttpStatusCode.InternalServerError, $"order {idempotencyKey}: {response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                // That replica is down or restarting: the next one, as a load balancer would.
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Every order stored, once each is terminal.</summary>
    public static async Task<Dictionary<string, Order>> WaitUntilAllTerminalAsync(AzuriteServer azurite, int expected)
    {
        var orders = new TableClient(azurite.ConnectionString, "Orders");
        await Queues.QueueHarness.EventuallyAsync(async () => await CountTerminalAsync(orders) == expected, $"{expected} orders terminal", Timeout);
        var stored = new Dictionary<string, Order>();
        await foreach (var row in orders.QueryAsync<TableEntity>())
        {
            stored[row.RowKey] = OrderStore.FromEntity(row);
        }

        return stored;
    }

    public static async Task<int> CountTerminalAsync(TableClient orders)
    {
        var count = 0;
        await foreach (var row in orders.QueryAsync<TableEntity>(select: ["Status"]))
        {
            if (row.GetString("Status") is "Completed" or "Rejected" or "Failed")
            {
                count++;
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
