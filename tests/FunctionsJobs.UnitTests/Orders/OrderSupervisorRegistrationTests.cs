using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Host;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.UnitTests.Orders;

public sealed class OrderSupervisorRegistrationTests
{
    [Fact]
    public async Task The_Host_runs_the_order_supervisor_on_its_schedule_setting_and_cleans_up_idempotency_and_outbox_records()
    {
        var app = HostApplication.Build(["--AzureWebJobsStorage=UseDevelopmentStorage=true", "--environment=Development", "--OrderSupervisorSchedule=0 */2 * * * *"]);
        await using (app)
        {
            var timer = Assert.Single(app.Services.GetServices<IHostFunction>().OfType<TimerFunction>(), t => t.Name == OrderSupervisorSettings.FunctionName);
            var job = Assert.IsType<OrderSupervisorJob>(timer.Job);

            Assert.Equal("0 */2 * * * * (UTC)", timer.Source);
            Assert.Equal(("OrderSupervisor", "OrderSupervisorSchedule", "0 */1 * * * *"), (job.Name, job.ScheduleSetting, job.DefaultSchedule));
            Assert.Contains(app.Services.GetServices<IScheduledJob>(), j => j is OrderSupervisorJob);
            Assert.IsType<StorageQueueOrderDispatcher>(app.Services.GetRequiredService<IOrderDispatcher>());
            var sources = app.Services.GetServices<IRetentionSource>().ToList();
            Assert.Equal(TimeSpan.FromDays(7), Assert.IsType<IdempotencyRetention>(Assert.Single(sources, s => s.Name == "order-idempotency-keys")).Retention);
            Assert.Equal(TimeSpan.FromDays(30), Assert.IsType<MailOutboxRetention>(Assert.Single(sources, s => s.Name == "order-mail-outbox")).Retention);
        }
    }
}
