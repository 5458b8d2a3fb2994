using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Functions.Scheduling;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// The order supervisor on its schedule (<c>%OrderSupervisorSchedule%</c>, every minute). The
/// Functions host keeps it a singleton (listener lock) and monitors the schedule (<c>UseMonitor</c>);
/// the shared runner records the run in the same history the Host writes. Re-dispatched orders go
/// out on <c>OrdersTransport</c> (<see cref="ServiceBusOrderDispatcher"/> for Service Bus).
/// </summary>
public sealed class OrderSupervisor(JobRunner runner, OrderSupervisorJob job)
{
    [Function(OrderSupervisorSettings.FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + OrderSupervisorSettings.ScheduleSetting + "%", UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        runner.RunAsync(job, TimerRunRequest.From(timer), cancellationToken);
}
