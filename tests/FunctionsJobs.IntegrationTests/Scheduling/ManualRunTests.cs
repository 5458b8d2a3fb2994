using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Scheduling;

/// <summary><c>POST /admin/functions/{name}</c> and the <c>/api/jobs</c> routes.</summary>
public sealed class ManualRunTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_manual_run_answers_202_with_its_run_id_and_runs_under_the_lock_a_second_one_gets_409()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString);
        harness.Probe.Block = true;
        var host = await harness.StartHostAsync();

        using var first = await PostAsync(host, ProbeJob.FunctionName, """{ "input": "by hand" }""");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();
        var runId = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/jobs/{ProbeJob.FunctionName}/runs/{runId}", first.Headers.Location?.OriginalString);
        await harness.Probe.WaitUntilAsync(p => p.Started.Count == 1);
        var context = Assert.Single(harness.Probe.Started);
        Assert.Equal(runId, context.RunId);
        Assert.Equal(JobTrigger.Manual, context.Trigger);
        Assert.Equal("by hand", context.Input);
        Assert.Null(context.ScheduledFor);
        Assert.Equal(LeaseState.Leased, (await harness.LockBlob.GetPropertiesAsync()).Value.LeaseState);

        using var second = await PostAsync(host, ProbeJob.FunctionName.ToLowerInvariant(), null);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"locks/{harness.HostId}/{ProbeJob.FunctionName}", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        harness.Probe.Gate.Release();
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        JobRun? run = null;
        await Queues.QueueHarness.EventuallyAsync(
            async () => (run = await GetRunAsync(host, runId)) is { Outcome: JobOutcome.Succeeded },
            "the manual run recorded as succeeded");
        Assert.Equal(JobTrigger.Manual, run!.Trigger);
        Assert.Equal(3, run.ItemsProcessed);
        Assert.Single(harness.Probe.Started);
    }

    [Fact]
    public async Task A_manual_run_waits_for_nobody_it_is_refused_while_another_instance_holds_the_lock()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString);
        var host = await harness.StartHostAsync();
        await harness.Container.CreateIfNotExistsAsync();
        await harness.LockBlob.UploadAsync(BinaryData.Empty, overwrite: true);
        var elsewhere = harness.LockBlob.GetBlobLeaseClient();
        await elsewhere.AcquireAsync(TimeSpan.FromSeconds(15));

        using var refused = await PostAsync(host, ProbeJob.FunctionName, null);
        await elsewhere.ReleaseAsync();
        using var accepted = await PostAsync(host, ProbeJob.FunctionName, null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        Assert.Null(Assert.Single(harness.Probe.Completed).Input);
    }

    [Fact]
    public async Task Two_deployments_on_one_storage_account_slots_of_one_site_run_the_same_timer_at_once_each_under_its_own_lock_and_status()
    {
        var site = $"shop{Guid.NewGuid():N}"[..16];
        await using var production = new TimerHarness(azurite.ConnectionString, new() { ["WEBSITE_SITE_NAME"] = site, ["WEBSITE_SLOT_NAME"] = "Production" }, deriveHostId: true);
        await using var staging = new TimerHarness(azurite.ConnectionString, new() { ["WEBSITE_SITE_NAME"] = site, ["WEBSITE_SLOT_NAME"] = "staging" }, deriveHostId: true);
        production.Probe.Block = staging.Probe.Block = true;
        var productionHost = await production.StartHostAsync();
        var stagingHost = await staging.StartHostAsync();

        using var first = await PostAsync(productionHost, ProbeJob.FunctionName, null);
        await production.Probe.WaitUntilAsync(p => p.Started.Count == 1);
        using var second = await PostAsync(stagingHost, ProbeJob.FunctionName, null);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        await staging.Probe.WaitUntilAsync(p => p.Started.Count == 1);
        Assert.Equal((site, $"{site}-staging"), (production.HostId, staging.HostId));
        Assert.NotEqual(production.LockBlob.Name, staging.LockBlob.Name);
        Assert.NotEqual(production.StatusBlob.Name, staging.StatusBlob.Name);
        Assert.Equal(LeaseState.Leased, (await production.LockBlob.GetPropertiesAsync()).Value.LeaseState);
        Assert.Equal(LeaseState.Leased, (await staging.LockBlob.GetPropertiesAsync()).Value.LeaseState);
        production.Probe.Gate.Release();
        staging.Probe.Gate.Release();
        await production.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        await staging.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
    }

    [Theory]
    [InlineData("NoSuchJob", null, null, HttpStatusCode.NotFound)]
    [InlineData(ProbeJob.FunctionName, "[1, 2]", TestHost.MasterKey, HttpStatusCode.BadRequest)]
    [InlineData(ProbeJob.FunctionName, "{ not json", TestHost.MasterKey, HttpStatusCode.BadRequest)]
    [InlineData(ProbeJob.FunctionName, null, TestHost.FunctionKey, HttpStatusCode.Unauthorized)]
    [InlineData(ProbeJob.FunctionName, null, "", HttpStatusCode.Unauthorized)]
    public async Task Bad_manual_run_requests_get_problem_details_and_run_nothing(string name, string? body, string? key, HttpStatusCode expected)
    {
        await using var harness = new TimerHarness(azurite.ConnectionString);
        var host = await harness.StartHostAsync();

        using var response = await PostAsync(host, name, body, key ?? TestHost.MasterKey);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(harness.Probe.Started);
    }

    [Fact]
    public async Task Jobs_and_runs_are_listed_with_schedule_last_next_and_outcome_and_the_catalog_shows_timer_functions()
    {
        await using var harness = new TimerHarness(azurite.ConnectionString, new() { ["ProbeJobSchedule"] = "0 */5 * * * *", ["WEBSITE_TIME_ZONE"] = "Europe/Berlin" });
        var host = await harness.StartHostAsync();
        using (await PostAsync(host, ProbeJob.FunctionName, null))
        {
            await harness.Probe.WaitUntilAsync(p => p.Completed.Count == 1);
        }

        await Queues.QueueHarness.EventuallyAsync(async () => (await harness.RunsAsync()).Any(r => r.Outcome == JobOutcome.Succeeded), "run recorded");
        var jobs = await GetJsonAsync(host, "/api/jobs", TestHost.FunctionKey);
        var runs = await GetJsonAsync(host, $"/api/jobs/{ProbeJob.FunctionName}/runs?max=10", TestHost.FunctionKey);
        var functions = await GetJsonAsync(host, "/admin/functions", TestHost.MasterKey);
        using var unknown = await host.Http.SendAsync(host.Request(HttpMethod.Get, "/api/jobs/Nope/runs", TestHost.FunctionKey));
        using var badMax = await host.Http.SendAsync(host.Request(HttpMethod.Get, $"/api/jobs/{ProbeJob.FunctionName}/runs?max=0", TestHost.FunctionKey));
        using var noKey = await host.Http.SendAsync(host.Request(HttpMethod.Get, "/api/jobs"));

        var probe = jobs.EnumerateArray().Single(j => j.GetProperty("name").GetString() == ProbeJob.FunctionName);
        Assert.Equal("timerTrigger", probe.GetProperty("trigger").GetString());
        Assert.Equal("0 */5 * * * *", probe.GetProperty("schedule").GetString());
        Assert.Equal("ProbeJobSchedule", probe.GetProperty("scheduleSetting").GetString());
        Assert.Equal("Europe/Berlin", probe.GetProperty("timeZone").GetString());
        var next = probe.GetProperty("next").GetDateTimeOffset();
        Assert.True(next > DateTimeOffset.UtcNow && next <= DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal("Succeeded", probe.GetProperty("lastRun").GetProperty("outcome").GetString());
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("name").GetString() == "RetentionCleanup");

        var run = Assert.Single(runs.EnumerateArray());
        Assert.Equal("Manual", run.GetProperty("trigger").GetString());
        Assert.Equal(3, run.GetProperty("itemsProcessed").GetInt64());
        Assert.True(run.GetProperty("endedAt").GetDateTimeOffset() >= run.GetProperty("startedAt").GetDateTimeOffset());

        var timers = functions.Deserialize<List<FunctionInfo>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Contains(timers, f => f is { Name: ProbeJob.FunctionName, Trigger: "timerTrigger", Source: "0 */5 * * * * (Europe/Berlin)" } && f.Settings.SequenceEqual(["ProbeJobSchedule"]));
        Assert.Contains(timers, f => f is { Name: "RetentionCleanup", Trigger: "timerTrigger", Source: "0 30 3 * * * (Europe/Berlin)" });
        Assert.Contains(timers, f => f.Name == "ListJobs" && f.Trigger == "httpTrigger");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMax.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    private static Task<HttpResponseMessage> PostAsync(TestHost host, string name, string? body, string key = TestHost.MasterKey)
    {
        var request = host.Request(HttpMethod.Post, $"/admin/functions/{name}", key.Length == 0 ? null : key);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return host.Http.SendAsync(request);
    }

    private static async Task<JobRun?> GetRunAsync(TestHost host, string runId)
    {
        using var response = await host.Http.SendAsync(host.Request(HttpMethod.Get, $"/api/jobs/{ProbeJob.FunctionName}/runs/{runId}", TestHost.FunctionKey));
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JobRun>(Core.Queues.JobJson.Options) : null;
    }

    private static async Task<JsonElement> GetJsonAsync(TestHost host, string path, string key)
    {
        using var response = await host.Http.SendAsync(host.Request(HttpMethod.Get, path, key));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
