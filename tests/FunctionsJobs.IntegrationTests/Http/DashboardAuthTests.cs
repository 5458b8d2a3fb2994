using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsJobs.Http.Dashboard;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Http;

/// <summary>
/// The dashboard's keys and session: the master key as <c>code</c> (once) or header, the session cookie
/// that replaces it, and the proof a cookie-authorized change must carry (the page's header and a
/// same Origin). Every refusal here is a rule of <c>DashboardSession</c> or the key middleware.
/// </summary>
public sealed class DashboardAuthTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestHost? _host;
    private HttpClient? _client;

    private TestHost Host => _host!;

    /// <summary>No redirects followed and no cookie jar: each test says exactly what it sends.</summary>
    private HttpClient Client => _client!;

    private string Origin => Host.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(azurite.ConnectionString);
        _client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Host.Http.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await Host.DisposeAsync();
    }

    [Fact]
    public async Task The_master_key_as_code_becomes_an_http_only_same_site_cookie_and_leaves_the_address()
    {
        using var response = await Client.GetAsync($"/dashboard/data/orders?max=5&code={TestHost.MasterKey}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/data/orders?max=5", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestHost.MasterKey, cookie, StringComparison.Ordinal);

        using var page = await SendAsync(HttpMethod.Get, "/dashboard", await SessionAsync());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dashboard?key=" + TestHost.MasterKey, null, null)]
    [InlineData("/dashboard", "Authorization", "Bearer " + TestHost.MasterKey)]
    [InlineData("/dashboard", "Cookie", "x-functions-key=" + TestHost.MasterKey)]
    [InlineData("/dashboard", "Cookie", "FunctionsJobs-Dashboard=" + TestHost.MasterKey)]
    [InlineData("/dashboard/data/queues?code=" + TestHost.FunctionKey, null, null)]
    [InlineData("/api/dashboard", "x-functions-key", TestHost.FunctionKey)]
    [InlineData("/dashboard#code=" + TestHost.MasterKey, null, null)]
    public async Task A_key_in_the_wrong_place_or_too_weak_a_key_gets_401(string path, string? header, string? value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("/admin/queues/some-queue/poison/replay")]
    [InlineData("/admin/functions/OrderSupervisor")]
    public async Task Replay_and_run_now_need_the_master_key(string path)
    {
        using var none = await SendAsync(HttpMethod.Post, path, session: null);
        using var functionKey = await SendAsync(HttpMethod.Post, path, session: null, key: TestHost.FunctionKey);
        using var forgedCookie = await SendAsync(HttpMethod.Post, path, session: "not-the-session-token");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, functionKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forgedCookie.StatusCode);
    }

    [Theory]
    [InlineData(false, "same", "/admin/functions/OrderSupervisor")]
    [InlineData(true, "https://evil.example", "/admin/functions/OrderSupervisor")]
    [InlineData(true, null, "/admin/functions/OrderSupervisor")]
    [InlineData(true, "null", "/admin/functions/OrderSupervisor")]
    [InlineData(false, "same", "/admin/queues/some-queue/poison/replay")]
    [InlineData(true, "https://evil.example", "/admin/queues/some-queue/poison/replay")]
    public async Task A_cookie_authorized_change_without_the_pages_header_or_from_another_origin_gets_403(bool pageHeader, string? origin, string path)
    {
        using var response = await SendAsync(HttpMethod.Post, path, await SessionAsync(), pageHeader: pageHeader, origin: origin == "same" ? Origin : origin);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task With_the_pages_header_and_origin_the_cookie_runs_a_job_and_reads_data()
    {
        var session = await SessionAsync();

        using var run = await SendAsync(HttpMethod.Post, "/admin/functions/OrderSupervisor", session, pageHeader: true, origin: Origin);
        using var data = await SendAsync(HttpMethod.Get, "/dashboard/data/jobs", session);

        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        Assert.Contains((await data.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray(), j => j.GetProperty("name").GetString() == "OrderSupervisor");
    }

    [Theory]
    [InlineData("POST", "/admin/functions/NoSuchJob", HttpStatusCode.NotFound)]
    [InlineData("POST", "/admin/queues/no-such-queue/poison/replay", HttpStatusCode.NotFound)]
    [InlineData("POST", "/admin/queues/Not_A_Queue/poison/replay", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/dashboard/data/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("GET", "/dashboard/data/orders?max=0", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/dashboard/data/images?max=101", HttpStatusCode.BadRequest)]
    public async Task Unknown_jobs_queues_and_data_get_problem_details(string method, string path, HttpStatusCode expected)
    {
        using var response = await SendAsync(new HttpMethod(method), path, await SessionAsync(), pageHeader: true, origin: Origin);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The session cookie the Host sets for the master key given as <c>code</c>.</summary>
    private async Task<string> SessionAsync()
    {
        using var response = await Client.GetAsync($"/dashboard?code={TestHost.MasterKey}");
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        return cookie.Split(';')[0].Split('=', 2)[1];
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? session, string? key = null, bool pageHeader = false, string? origin = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (session is not null)
        {
            request.Headers.Add("Cookie", $"FunctionsJobs-Dashboard={session}");
        }

        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        if (pageHeader)
        {
            request.Headers.Add(DashboardHttp.PageHeader, "1");
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { });
        }

        return await Client.SendAsync(request);
    }
}
