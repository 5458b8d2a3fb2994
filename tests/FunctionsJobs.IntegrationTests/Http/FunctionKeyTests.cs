using System.Net;
using System.Text.Json;
using FunctionsJobs.Host.Http;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FunctionsJobs.IntegrationTests.Http;

/// <summary>Routes guarded like Functions: function key for /api, master key for /admin, /health anonymous.</summary>
public sealed partial class FunctionKeyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData("/api/ping", null, HttpStatusCode.Unauthorized)]
    [InlineData("/api/ping", "wrong-key-wrong-key", HttpStatusCode.Unauthorized)]
    [InlineData("/api/ping", TestHost.FunctionKey, HttpStatusCode.OK)]
    [InlineData("/api/ping", TestHost.MasterKey, HttpStatusCode.OK)]
    [InlineData("/admin/queues", null, HttpStatusCode.Unauthorized)]
    [InlineData("/admin/queues", TestHost.FunctionKey, HttpStatusCode.Unauthorized)]
    [InlineData("/admin/queues", TestHost.MasterKey, HttpStatusCode.OK)]
    public async Task Api_routes_need_a_function_key_or_the_master_key_and_admin_routes_the_master_key(string path, string? key, HttpStatusCode expected)
    {
        await using var host = await StartAsync();
        using var request = host.Request(HttpMethod.Get, path, key);
        using var response = await host.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            await AssertProblemAsync(response, path.StartsWith("/admin", StringComparison.Ordinal) ? "master key" : "function key");
        }
    }

    /// <summary>Every keyed route of the catalog, not a sample route: missing, wrong and too weak keys get 401 before the route runs.</summary>
    [Fact]
    public async Task Every_keyed_route_refuses_a_missing_wrong_or_too_weak_key()
    {
        await using var host = await StartAsync();
        using var catalogRequest = host.Request(HttpMethod.Get, "/admin/functions", TestHost.MasterKey);
        using var catalog = await host.Http.SendAsync(catalogRequest);
        var routes = JsonDocument.Parse(await catalog.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Where(f => f.GetProperty("trigger").GetString() == "httpTrigger" && f.GetProperty("authLevel").GetString() != "anonymous")
            .Select(f => (Source: f.GetProperty("source").GetString()!.Split(' '), Admin: f.GetProperty("authLevel").GetString() == "admin"))
            .Select(f => (Method: f.Source[0].Split(',')[0], Path: RouteValue().Replace(f.Source[1], "x1"), f.Admin))
            .Append((Method: "GET", Path: "/admin/queues", Admin: true))
            .Append((Method: "POST", Path: "/admin/functions/RetentionCleanup", Admin: true))
            .ToList();
        Assert.Contains(routes, r => r.Path == "/api/orders/x1");
        Assert.Contains(routes, r => r is { Path: "/api/dashboard/x1", Admin: true });

        foreach (var (method, path, admin) in routes)
        {
            var weakest = admin ? TestHost.FunctionKey : null;
            foreach (var key in new[] { null, "wrong-key-wrong-key", TestHost.FunctionKey.ToUpperInvariant(), weakest }.Distinct())
            {
                using var request = host.Request(new HttpMethod(method), path, key);
                using var response = await host.Http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with key '{key}': {(int)response.StatusCode}");
                await AssertProblemAsync(response, admin ? "master key" : "function key");
            }
        }
    }

    [Fact]
    public async Task The_code_query_parameter_works_like_the_header()
    {
        await using var host = await StartAsync();
        using var ok = await host.Http.GetAsync($"/api/ping?code={TestHost.FunctionKey}");
        using var wrong = await host.Http.GetAsync("/api/ping?code=nope");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Health_is_anonymous_and_tells_liveness_from_readiness()
    {
        await using var host = await StartAsync();
        using var live = await host.Http.GetAsync("/health/live");
        using var ready = await host.Http.GetAsync("/health/ready");
        using var all = await host.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await all.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("ready").GetBoolean());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        AssertNothingInternal(body.ToString());
    }

    [Fact]
    public async Task Readiness_fails_when_storage_is_unreachable_while_liveness_holds()
    {
        // A port nothing listens on: storage is down from the start.
        await using var down = await AzuriteServer.StartAsync();
        var connectionString = down.ConnectionString;
        await down.StopAsync();
        await using var host = await TestHost.StartAsync(connectionString);

        using var live = await host.Http.GetAsync("/health/live");
        using var ready = await host.Http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Contains("unreachable", body, StringComparison.Ordinal);
        AssertNothingInternal(body);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("devstoreaccount1 unreachable", StringComparison.Ordinal) && e.Exception is not null);
    }

    /// <summary>Anonymous health answers name no storage account and no exception type: those are for the log.</summary>
    private static void AssertNothingInternal(string body)
    {
        Assert.DoesNotContain("devstoreaccount1", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", body, StringComparison.OrdinalIgnoreCase);
    }

    private Task<TestHost> StartAsync() =>
        TestHost.StartAsync(azurite.ConnectionString, map: app => app.MapGet("/api/ping", () => Results.Ok("pong")));

    [System.Text.RegularExpressions.GeneratedRegex("\\{[^}]+\\}")]
    private static partial System.Text.RegularExpressions.Regex RouteValue();

    private static async Task AssertProblemAsync(HttpResponseMessage response, string expectedDetail)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains(expectedDetail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(FunctionKeyMiddleware.HeaderName, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
