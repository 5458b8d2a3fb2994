using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Host.Scheduling;
using FunctionsJobs.Http;
using FunctionsJobs.Http.Orders;

namespace FunctionsJobs.Host.Orders;

/// <summary>Orders on the Host: the HTTP starter and status routes, the queue-triggered workflow and the order supervisor's timer.</summary>
internal sealed class OrdersJob : IHostJob
{
    public const string ProcessOrder = "ProcessOrder";

    public static void Add(WebApplicationBuilder builder)
    {
        var transport = OrdersOptions.FromConfiguration(builder.Configuration).Transport;
        if (transport != OrdersTransport.StorageQueue)
        {
            throw new InvalidSettingException(OrdersSettings.Transport, $"must be {OrdersTransport.StorageQueue} on the Host, not {transport}: Service Bus is for the Functions app (docs/orders.md)");
        }

        builder.Services.AddQueueFunction<OrderWorkflow, OrderMessage>(builder.Configuration, ProcessOrder, OrdersSettings.QueueName, OrdersSettings.DefaultQueueName);
        builder.Services.AddTimerFunction<OrderSupervisorJob>();
    }

    public static void Map(WebApplication app)
    {
        app.MapPost(ApiRoutes.OnHost(OrderHttp.PlaceRoute), OrderHttp.PlaceAsync).WithFunctionName(OrderHttp.PlaceFunction);
        app.MapGet(ApiRoutes.OnHost(OrderHttp.GetRoute), OrderHttp.GetAsync).WithFunctionName(OrderHttp.GetFunction);
    }
}
