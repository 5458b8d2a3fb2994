using System.Net.Http.Json;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Http;

public sealed class FunctionCatalogTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Admin_functions_lists_queue_and_http_functions_with_their_sources()
    {
        var queue = AzuriteFixture.NewQueueName("catalog");
        await using var host = await TestHost.StartAsync(
            azurite.ConnectionString,
            configure: b =>
            {
                b.Services.AddSingleton(new Probe());
                b.Services.AddQueueFunction<RecordingHandler, TestMessage>(b.Configuration, "CatalogQueue", "CatalogQueueName", queue);
            },
            map: app => app.MapGet("/api/things/{id}", (string id) => Results.Ok(id)).WithFunctionName("GetThing"));

        using var request = host.Request(HttpMethod.Get, "/admin/functions", TestHost.MasterKey);
        using var response = await host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var functions = (await response.Content.ReadFromJsonAsync<List<FunctionInfo>>())!;

        var queueFunction = Assert.Single(functions, f => f.Name == "CatalogQueue");
        Assert.Equal(("queueTrigger", queue, null), (queueFunction.Trigger, queueFunction.Source, queueFunction.AuthLevel));
        Assert.Equal(["CatalogQueueName"], queueFunction.Settings);
        var http = Assert.Single(functions, f => f.Name == "GetThing");
        Assert.Equal(("httpTrigger", "GET /api/things/{id}", "function"), (http.Trigger, http.Source, http.AuthLevel));
        Assert.Empty(http.Settings);
    }
}
