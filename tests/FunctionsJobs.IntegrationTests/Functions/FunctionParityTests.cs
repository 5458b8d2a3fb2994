using System.Net.Http.Json;
using System.Text.Json;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.IntegrationTests.Functions;

/// <summary>
/// The Functions project, the Host and local.settings.sample.json describe one app: the same
/// function names, triggers, routes, key levels and binding settings. The Functions side is read
/// from source (it cannot be built offline), the Host side from its running catalog.
/// </summary>
public sealed class FunctionParityTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Functions_project_Host_and_sample_settings_declare_the_same_functions()
    {
        var functions = FunctionsSource.Read(FunctionsSource.ProjectFiles());
        var host = await HostCatalogAsync();

        Assert.Empty(FunctionParity.Differences(functions, host, SampleSettings()));

        // A reader that found nothing would make the comparison above vacuous.
        Assert.Contains(functions, f => f is { Name: "PlaceOrder", Trigger: "httpTrigger", Source: "POST /api/orders", AuthLevel: "function" });
        Assert.Contains(functions, f => f is { Name: "ProcessOrder", Trigger: "queueTrigger" } && f.Settings.SequenceEqual(["OrdersQueueName"]));
        Assert.Contains(functions, f => f is { Name: "RetentionCleanup", Trigger: "timerTrigger" } && f.Settings.SequenceEqual(["RetentionCleanupSchedule"]));
        Assert.Contains(functions, f => f is { Name: "OrderSupervisor", Trigger: "timerTrigger" } && f.Settings.SequenceEqual(["OrderSupervisorSchedule"]));
        Assert.Contains(functions, f => f is { Name: "NightlySalesReport", Trigger: "timerTrigger" } && f.Settings.SequenceEqual(["SalesReportSchedule"]));
        Assert.Contains(functions, f => f is { Name: "GetThumbnail", AuthLevel: "anonymous" });
    }

    [Fact]
    public async Task A_trigger_added_to_the_Functions_project_alone_is_a_difference()
    {
        const string extra = """
            using Microsoft.Azure.Functions.Worker;
            public sealed class CountVisits
            {
                [Function("CountVisits")]
                public Task RunAsync([QueueTrigger("%VisitsQueueName%", Connection = "AzureWebJobsStorage")] string message) => Task.CompletedTask;
            }
            """;
        var functions = FunctionsSource.Read([.. FunctionsSource.ProjectFiles(), ("src/FunctionsJobs.Functions/Visits/CountVisits.cs", extra)]);

        var differences = FunctionParity.Differences(functions, await HostCatalogAsync(), SampleSettings());

        Assert.Contains(differences, d => d.StartsWith("CountVisits: a queueTrigger in the Functions project (src/FunctionsJobs.Functions/Visits/CountVisits.cs:4)", StringComparison.Ordinal));
        Assert.Contains("CountVisits: %VisitsQueueName% is not in local.settings.sample.json", differences);
    }

    [Fact]
    public async Task A_trigger_added_to_the_Host_alone_is_a_difference()
    {
        var host = await HostCatalogAsync(app => app.MapGet("/api/visits", () => Results.Ok()).WithFunctionName("ListVisits"));

        var differences = FunctionParity.Differences(FunctionsSource.Read(FunctionsSource.ProjectFiles()), host, SampleSettings());

        Assert.Equal(["ListVisits: a httpTrigger on the Host (GET /api/visits) without a [Function] twin in src/FunctionsJobs.Functions"], differences);
    }

    [Fact]
    public async Task A_twin_with_another_route_key_level_or_setting_is_a_difference()
    {
        var functions = FunctionsSource.Read(FunctionsSource.ProjectFiles())
            .Select(f => f.Name switch
            {
                "GetOrder" => f with { Source = "GET /api/order/{id}" },
                "GetThumbnail" => f with { AuthLevel = "function" },
                "ProcessOrder" => f with { Settings = ["OrderQueueName"] },
                _ => f,
            })
            .ToList();

        var differences = FunctionParity.Differences(functions, await HostCatalogAsync(), SampleSettings());

        Assert.Equal(
            [
                "GetOrder: 'GET /api/order/{id}' in the Functions project, 'GET /api/orders/{id}' on the Host",
                "GetThumbnail: authorization level function in the Functions project, anonymous on the Host",
                "ProcessOrder: bound through [OrderQueueName] in the Functions project, [OrdersQueueName] on the Host",
            ],
            differences.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_attribute_argument_that_is_not_a_constant_fails_loudly()
    {
        const string source = """
            public sealed class Dynamic
            {
                [Function(Names.Pick())]
                public Task RunAsync([TimerTrigger("0 * * * * *")] TimerInfo timer) => Task.CompletedTask;
            }
            """;

        var error = Assert.Throws<InvalidOperationException>(() => FunctionsSource.Read([("Dynamic.cs", source)]));

        Assert.Contains("Dynamic.cs:3: cannot read 'Names.Pick()' as a constant string", error.Message, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<FunctionInfo>> HostCatalogAsync(Action<WebApplication>? map = null)
    {
        await using var host = await TestHost.StartAsync(azurite.ConnectionString, map: map);
        using var request = host.Request(HttpMethod.Get, "/admin/functions", TestHost.MasterKey);
        using var response = await host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<FunctionInfo>>())!;
    }

    private static HashSet<string> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        return [.. sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];
    }
}
