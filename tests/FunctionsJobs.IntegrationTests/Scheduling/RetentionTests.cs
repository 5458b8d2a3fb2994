using Azure.Data.Tables;
using Azure.Storage.Queues;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsJobs.IntegrationTests.Scheduling;

public sealed class RetentionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Job_runs_older_than_their_retention_are_deleted_and_younger_ones_kept()
    {
        var now = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(now.AddDays(-50));
        await using var services = CoreServices.Build(azurite.ConnectionString, new LogSink(), time, new Dictionary<string, string?> { ["RetentionJobRunsDays"] = "30" });
        var history = services.GetRequiredService<JobRunHistory>();
        var kept = new List<string>();
        foreach (var (job, age) in new[] { ("Nightly", 45), ("Other", 40), ("Nightly", 31), ("Nightly", 29), ("Other", 1) })
        {
            time.SetUtcNow(now.AddDays(-age));
            var run = await history.StartAsync(job, JobTrigger.Schedule, false, null, CancellationToken.None);
            if (age < 30)
            {
                kept.Add(run.RunId);
            }
        }

        time.SetUtcNow(now);
        var retention = await RunRetentionAsync(services);

        Assert.Equal(JobOutcome.Succeeded, retention.Outcome);
        Assert.Equal(3, retention.ItemsProcessed);
        var left = (await history.ListAsync("Nightly", 100, CancellationToken.None)).Concat(await history.ListAsync("Other", 100, CancellationToken.None));
        Assert.Equal(kept.Order(), left.Select(r => r.RunId).Order());
        Assert.Single(await history.ListAsync(RetentionSettings.FunctionName, 10, CancellationToken.None));

        // Repeating a finished clean-up deletes nothing more.
        Assert.Equal(0, (await RunRetentionAsync(services)).ItemsProcessed);
    }

    [Fact]
    public async Task Recent_items_index_rows_older_than_their_retention_are_deleted_and_younger_ones_kept()
    {
        var now = DateTimeOffset.UtcNow;
        await using var services = CoreServices.Build(azurite.ConnectionString, new LogSink(), settings: new Dictionary<string, string?>
        {
            [RecentItems.TableSetting] = $"Recent{Guid.NewGuid():N}"[..20],
            [RecentItemsRetention.DaysSetting] = "7",
        });
        var recent = services.GetRequiredService<RecentItems>();
        foreach (var (kind, id, age) in new[] { (RecentItems.Orders, "o-10", 10), (RecentItems.Orders, "o-8", 8), (RecentItems.Orders, "o-6", 6), (RecentItems.Orders, "o-1", 1), (RecentItems.Images, "i-9", 9), (RecentItems.Images, "i-2", 2) })
        {
            await recent.TryAddAsync(kind, id, now.AddDays(-age), CancellationToken.None);
        }

        var retention = services.GetServices<IRetentionSource>().OfType<RecentItemsRetention>().Single();
        Assert.Equal(TimeSpan.FromDays(7), retention.Retention);
        var progress = new JobProgress();

        Assert.Equal(3, await retention.PurgeAsync(now - retention.Retention, progress, CancellationToken.None));
        Assert.Equal(["o-1", "o-6"], await recent.LatestAsync(RecentItems.Orders, 10, CancellationToken.None));
        Assert.Equal(["i-2"], await recent.LatestAsync(RecentItems.Images, 10, CancellationToken.None));
        Assert.Equal(0, await retention.PurgeAsync(now - retention.Retention, progress, CancellationToken.None));
    }

    [Fact]
    public async Task Old_poison_messages_and_reasons_are_deleted_young_ones_stay_visible_and_unchanged()
    {
        var time = new FakeTimeProvider();
        await using var services = CoreServices.Build(azurite.ConnectionString, new LogSink(), time, new Dictionary<string, string?> { ["RetentionPoisonMessagesDays"] = "7" });
        var configuration = services.GetRequiredService<IConfiguration>();
        var poison = new QueueClient(azurite.ConnectionString, AzuriteFixture.NewQueueName("retain") + PoisonQueueNaming.Suffix);
        var bystander = new QueueClient(azurite.ConnectionString, AzuriteFixture.NewQueueName("bystander"));
        var reasons = new TableClient(azurite.ConnectionString, configuration[PoisonQueueNaming.ReasonsTableSetting]);
        await poison.CreateIfNotExistsAsync();
        await bystander.CreateIfNotExistsAsync();
        await reasons.CreateIfNotExistsAsync();

        var old = new List<(string Id, DateTimeOffset InsertedOn)>();
        for (var i = 0; i < 40; i++)
        {
            var receipt = (await poison.SendMessageAsync($"old-{i}")).Value;
            old.Add((receipt.MessageId, receipt.InsertionTime));
        }

        await bystander.SendMessageAsync("not a poison queue");

        // Insertion times have whole-second precision: the young ones must be a second younger.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var young = new List<(string Id, DateTimeOffset InsertedOn)>();
        for (var i = 0; i < 3; i++)
        {
            var receipt = (await poison.SendMessageAsync($"young-{i}")).Value;
            young.Add((receipt.MessageId, receipt.InsertionTime));
        }

        var oldest = old.Max(m => m.InsertedOn);
        var youngest = young.Min(m => m.InsertedOn);
        Assert.True(oldest < youngest);
        var cutoff = oldest.AddMilliseconds(500);
        time.SetUtcNow(cutoff.AddDays(7));

        await reasons.AddEntityAsync(Reason(poison.Name, old[0].Id, oldest));
        await reasons.AddEntityAsync(Reason(poison.Name, young[0].Id, youngest));
        await reasons.AddEntityAsync(Reason("gone-poison", "expired-long-ago", oldest.AddDays(-3)));

        var run = await RunRetentionAsync(services);

        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.Equal(41, run.ItemsProcessed);
        var left = (await poison.PeekMessagesAsync(32)).Value;
        Assert.Equal(young.Select(m => m.Id).Order(), left.Select(m => m.MessageId).Order());
        Assert.All(left, m => Assert.StartsWith("young-", m.Body.ToString(), StringComparison.Ordinal));
        Assert.Single((await bystander.PeekMessagesAsync(32)).Value);
        var reasonsLeft = reasons.Query<TableEntity>().Select(e => e.RowKey).ToList();
        Assert.Equal([young[0].Id], reasonsLeft);
    }

    private static TableEntity Reason(string poisonQueue, string messageId, DateTimeOffset poisonedAt) =>
        new(poisonQueue, messageId) { ["Reason"] = "test", ["PoisonedAt"] = poisonedAt };

    private static async Task<JobRun> RunRetentionAsync(IServiceProvider services) =>
        await services.GetRequiredService<JobRunner>().RunAsync(
            services.GetRequiredService<RetentionCleanupJob>(), new JobRunRequest(JobTrigger.Manual), CancellationToken.None);
}
