using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Host;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Host.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.UnitTests.Scheduling;

public sealed class TimerRegistrationTests
{
    [Fact]
    public async Task On_the_Host_the_clean_up_tends_the_poison_queues_of_its_queue_functions_only()
    {
        var app = HostApplication.Build(
            ["--AzureWebJobsStorage=UseDevelopmentStorage=true", "--environment=Development", "--RetentionCleanupSchedule=0 0 4 * * *", "--TZ=Europe/Berlin"],
            builder =>
            {
                builder.Services.AddQueueFunction<NoopHandler, string>(builder.Configuration, "Orders", "OrdersQueue", "orders");
                builder.Services.AddQueueFunction<NoopHandler, string>(builder.Configuration, "OrdersAudit", "OrdersAuditQueue", "orders");
                builder.Services.AddQueueFunction<NoopHandler, string>(builder.Configuration, "Thumbs", "ThumbsQueue", "thumbs");
            });
        await using (app)
        {
            var catalog = app.Services.GetRequiredService<IPoisonQueueCatalog>();
            var timer = Assert.Single(app.Services.GetServices<IHostFunction>().OfType<TimerFunction>(), t => t.Name == RetentionSettings.FunctionName);

            // The Host's own jobs (orders, thumbnail events, callbacks) register queue functions too.
            Assert.Equal(["orders-poison", "thumbnail-events-poison", "callbacks-poison", "thumbs-poison"], await catalog.ListPoisonQueuesAsync(CancellationToken.None));
            Assert.Equal("0 0 4 * * * (Europe/Berlin)", timer.Source);
            Assert.Contains(app.Services.GetServices<IScheduledJob>(), j => j is RetentionCleanupJob);
            Assert.Contains(
                app.Services.GetServices<IHostFunction>().OfType<TimerFunction>(),
                t => t.Name == Core.Thumbnails.ThumbnailReconciliationSettings.FunctionName && t.Source == "0 0 * * * * (Europe/Berlin)");
        }
    }

    private sealed class NoopHandler : Core.Queues.IQueueHandler<string>
    {
        public Task HandleAsync(string message, Core.Queues.QueueMessageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
