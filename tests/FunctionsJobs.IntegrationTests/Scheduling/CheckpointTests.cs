using Azure.Storage.Blobs;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.IntegrationTests.Scheduling;

public sealed class CheckpointTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_run_that_failed_midway_resumes_from_its_checkpoint()
    {
        var logs = new LogSink();
        await using var services = CoreServices.Build(azurite.ConnectionString, logs);
        var runner = services.GetRequiredService<JobRunner>();
        var job = new CountingJob { FailAt = 6 };

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(job, new JobRunRequest(JobTrigger.Manual), CancellationToken.None));
        job.FailAt = null;
        var resumed = await runner.RunAsync(job, new JobRunRequest(JobTrigger.Manual), CancellationToken.None);

        Assert.Contains("item 6", failed.Message, StringComparison.Ordinal);
        Assert.Equal([0, 6], job.StartedAt);
        Assert.Equal(Enumerable.Range(0, 10), job.Processed.Distinct().Order());
        Assert.Equal(10, resumed.ItemsProcessed);
        var history = await services.GetRequiredService<JobRunHistory>().ListAsync(CountingJob.FunctionName, 10, CancellationToken.None);
        Assert.Equal([JobOutcome.Succeeded, JobOutcome.Failed], history.Select(r => r.Outcome));
        Assert.Contains("item 6", history[1].Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ this is not json")]
    [InlineData("{\"somethingElse\": true}")]
    [InlineData("null")]
    [InlineData("")]
    public async Task A_corrupted_checkpoint_is_discarded_with_a_warning_and_the_run_starts_over(string corrupted)
    {
        var logs = new LogSink();
        await using var services = CoreServices.Build(azurite.ConnectionString, logs);
        var container = new BlobContainerClient(azurite.ConnectionString, services.GetRequiredService<IConfiguration>()[SchedulingSettings.CheckpointsContainerSetting]);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient($"{CountingJob.FunctionName}/{CountingJob.Key}.json").UploadAsync(BinaryData.FromString(corrupted), overwrite: true);
        var job = new CountingJob();

        var run = await services.GetRequiredService<JobRunner>().RunAsync(job, new JobRunRequest(JobTrigger.Manual), CancellationToken.None);

        var warning = await logs.WaitForAsync(e => e.Level == LogLevel.Warning && e.Message.Contains("corrupted", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Equal(CountingJob.FunctionName, warning.Fields["JobName"]);
        Assert.Equal(CountingJob.Key, warning.Fields["CheckpointKey"]);
        Assert.Equal([0], job.StartedAt);
        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.Equal(10, run.ItemsProcessed);
        Assert.False(await container.GetBlobClient($"{CountingJob.FunctionName}/{CountingJob.Key}.json").ExistsAsync());
    }

    /// <summary>Counts to ten, one checkpoint per item; deletes its checkpoint when done.</summary>
    private sealed class CountingJob : IScheduledJob
    {
        public const string FunctionName = "CountingJob";
        public const string Key = "batch-1";

        public string Name => FunctionName;

        public string ScheduleSetting => "CountingJobSchedule";

        public string DefaultSchedule => "0 0 0 1 1 *";

        public int? FailAt { get; set; }

        public List<int> StartedAt { get; } = [];

        public List<int> Processed { get; } = [];

        public async Task RunAsync(JobRunContext context, CancellationToken cancellationToken)
        {
            var checkpoint = await context.Checkpoints.ReadAsync<Position>(Key, cancellationToken) ?? new Position(0);
            StartedAt.Add(checkpoint.Next);
            context.Progress.Set(checkpoint.Next, checkpoint.Next * 10);
            for (var item = checkpoint.Next; item < 10; item++)
            {
                if (item == FailAt)
                {
                    throw new InvalidOperationException($"crashed at item {item}");
                }

                Processed.Add(item);
                await context.Checkpoints.WriteAsync(Key, new Position(item + 1), cancellationToken);
                context.Progress.Add(1, (item + 1) * 10);
            }

            await context.Checkpoints.DeleteAsync(Key, cancellationToken);
        }
    }

    private sealed record Position(int Next);
}
