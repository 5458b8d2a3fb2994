using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Functions.Orders;

public static class OrdersTransportRegistration
{
    /// <summary>
    /// With <c>OrdersTransport</c> = ServiceBus, order messages that the app sends itself (the order
    /// supervisor's re-dispatches) go to Service Bus, where <c>ProcessOrderFromServiceBus</c> listens,
    /// instead of the storage queue Core sends to by default.
    /// </summary>
    public static IServiceCollection AddOrdersTransport(this IServiceCollection services, IConfiguration configuration)
    {
        if (OrdersOptions.FromConfiguration(configuration).Transport == OrdersTransport.ServiceBus)
        {
#if SERVICE_BUS_TRIGGER
            services.Replace(ServiceDescriptor.Singleton<IOrderDispatcher, ServiceBusOrderDispatcher>());
#else
            // Sending to a queue nothing here consumes would strand every order.
            throw new InvalidSettingException(OrdersSettings.Transport, $"is {OrdersTransport.ServiceBus}, but this build has no ProcessOrderFromServiceBus: build with -p:ServiceBusTrigger=true on a feed that serves Microsoft.Azure.Functions.Worker.Extensions.ServiceBus");
#endif
        }

        return services;
    }
}
