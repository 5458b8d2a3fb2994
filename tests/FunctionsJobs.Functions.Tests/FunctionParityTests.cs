using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Functions.Tests;

/// <summary>
/// The built Functions app (its functions.metadata), the Host and local.settings.sample.json describe
/// one app: the same function names, triggers, routes, methods, key levels and binding settings.
/// </summary>
public sealed class FunctionParityTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private const string ServiceBusTrigger = "ProcessOrderFromServiceBus";

    private static bool BuiltWithServiceBus =>
        typeof(FunctionsAppServices).Assembly.GetType("FunctionsJobs.Functions.Orders.ProcessOrderFromServiceBus") is not null;

    private static IReadOnlySet<string> LeftOut => BuiltWithServiceBus ? new HashSet<string>() : new HashSet<string> { ServiceBusTrigger };

    [Fact]
    public async Task Built_app_Host_and_sample_settings_declare_the_same_functions()
    {
        var functions = FunctionsMetadata.Read(File.ReadAllText(FunctionsMetadata.BuiltFile));

        Assert.Empty(FunctionParity.Differences(functions, await HostCatalogAsync(), SampleSettings(), LeftOut));

        // A reader that found nothing would make the comparison above vacuous.
        Assert.Contains(functions, f => f is { Name: "PlaceOrder", Trigger: "httpTrigger", Source: "POST /api/orders", AuthLevel: "function" });
        Assert.Contains(functions, f => f is { Name: "GetThumbnail", Source: "GET /api/thumbnails/{id}/{size:int}.{extension}", AuthLevel: "anonymous" });
        Assert.Contains(functions, f => f is { Name: "ProcessOrder", Trigger: "queueTrigger" } && f.Settings.SequenceEqual(["OrdersQueueName"]) && f.Connections.SequenceEqual(["AzureWebJobsStorage"]));
        Assert.Contains(functions, f => f is { Name: "ThumbnailBlobTrigger", Trigger: "blobTrigger" } && f.Settings.SequenceEqual(["ImagesContainerName"]));
        Assert.Contains(functions, f => f is { Name: "RetentionCleanup", Trigger: "timerTrigger" } && f.Settings.SequenceEqual(["RetentionCleanupSchedule"]));
        Assert.Contains(functions, f => f is { Name: "OrderSupervisor", Trigger: "timerTrigger" } && f.Settings.SequenceEqual(["OrderSupervisorSchedule"]));
        Assert.Contains(functions, f => f is { Name: "NightlySalesReport", Trigger: "timerTrigger" } && f.Settings.SequenceEqual(["SalesReportSchedule"]));
    }

    [Fact]
    public void The_metadata_has_the_Service_Bus_trigger_exactly_when_the_build_has_it()
    {
        var functions = FunctionsMetadata.Read(File.ReadAllText(FunctionsMetadata.BuiltFile));

        Assert.Equal(BuiltWithServiceBus, functions.Any(f => f is { Name: ServiceBusTrigger, Trigger: "serviceBusTrigger" }));
    }

    [Fact]
    public async Task A_trigger_added_to_the_app_alone_is_a_difference()
    {
        var metadata = JsonNode.Parse(File.ReadAllText(FunctionsMetadata.BuiltFile))!.AsArray();
        metadata.Add(JsonNode.Parse("""
            { "name": "CountVisits", "entryPoint": "FunctionsJobs.Functions.Visits.CountVisits.RunAsync",
              "bindings": [ { "name": "message", "type": "queueTrigger", "direction": "In", "queueName": "%VisitsQueueName%", "connection": "AzureWebJobsStorage" } ] }
            """));

        var differences = FunctionParity.Differences(FunctionsMetadata.Read(metadata.ToJsonString()), await HostCatalogAsync(), SampleSettings(), LeftOut);

        Assert.Equal(
            [
                "CountVisits: %VisitsQueueName% is not in local.settings.sample.json",
                "CountVisits: a queueTrigger in the Functions app (FunctionsJobs.Functions.Visits.CountVisits.RunAsync) that the Host does not register (HostJobs.cs)",
            ],
            differences.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_trigger_added_to_the_Host_alone_is_a_difference()
    {
        var host = await HostCatalogAsync(app => app.MapGet("/api/visits", () => Results.Ok()).WithFunctionName("ListVisits"));

        var differences = FunctionParity.Differences(FunctionsMetadata.Read(File.ReadAllText(FunctionsMetadata.BuiltFile)), host, SampleSettings(), LeftOut);

        Assert.Equal(["ListVisits: a httpTrigger on the Host (GET /api/visits) without a [Function] twin in src/FunctionsJobs.Functions"], differences);
    }

    [Fact]
    public async Task A_twin_with_another_route_method_key_level_or_setting_is_a_difference()
    {
        var functions = FunctionsMetadata.Read(File.ReadAllText(FunctionsMetadata.BuiltFile))
            .Select(f => f.Name switch
            {
                "GetOrder" => f with { Source = "GET /api/order/{id}" },
                "PlaceOrder" => f with { Source = "PUT /api/orders" },
                "GetThumbnail" => f with { AuthLevel = "function" },
                "ProcessOrder" => f with { Settings = ["OrderQueueName"] },
                _ => f,
            })
            .ToList();

        var differences = FunctionParity.Differences(functions, await HostCatalogAsync(), SampleSettings(), LeftOut);

        Assert.Equal(
            [
                "GetOrder: 'GET /api/order/{id}' in the Functions app, 'GET /api/orders/{id}' on the Host",
                "GetThumbnail: authorization level function in the Functions app, anonymous on the Host",
                "PlaceOrder: 'PUT /api/orders' in the Functions app, 'POST /api/orders' on the Host",
                "ProcessOrder: bound through [OrderQueueName] in the Functions app, [OrdersQueueName] on the Host",
            ],
            differences.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_Service_Bus_switch_adds_or_leaves_out_the_trigger_and_its_package(bool serviceBusTrigger)
    {
        // Evaluation only (no restore), so both branches are checked on any feed.
        var project = Path.Combine(RepositoryPaths.Root, "src", "FunctionsJobs.Functions", "FunctionsJobs.Functions.csproj");
        var start = new ProcessStartInfo("dotnet", ["msbuild", project, "-nologo", $"-p:ServiceBusTrigger={serviceBusTrigger}", "-getItem:Compile", "-getItem:PackageReference", "-getProperty:DefineConstants"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var msbuild = Process.Start(start)!;
        var output = await msbuild.StandardOutput.ReadToEndAsync();
        await msbuild.WaitForExitAsync();
        Assert.True(msbuild.ExitCode == 0, output + await msbuild.StandardError.ReadToEndAsync());

        using var evaluation = JsonDocument.Parse(output);
        var compiled = evaluation.RootElement.GetProperty("Items").GetProperty("Compile").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!).ToList();
        var packages = evaluation.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!).ToList();
        var constants = evaluation.RootElement.GetProperty("Properties").GetProperty("DefineConstants").GetString()!;

        Assert.Equal(serviceBusTrigger, compiled.Any(c => c.EndsWith("ProcessOrderFromServiceBus.cs", StringComparison.Ordinal)));
        Assert.Equal(serviceBusTrigger, packages.Contains("Microsoft.Azure.Functions.Worker.Extensions.ServiceBus"));
        Assert.Equal(serviceBusTrigger, constants.Split(';').Contains("SERVICE_BUS_TRIGGER"));
        Assert.Contains(compiled, c => c.EndsWith("ServiceBusOrderDispatcher.cs", StringComparison.Ordinal));
        Assert.Contains("Azure.Messaging.ServiceBus", packages);
    }

    private async Task<IReadOnlyList<FunctionInfo>> HostCatalogAsync(Action<WebApplication>? map = null)
    {
        await using var host = await TestHost.StartAsync(fixture.Azurite.ConnectionString, map: map);
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
