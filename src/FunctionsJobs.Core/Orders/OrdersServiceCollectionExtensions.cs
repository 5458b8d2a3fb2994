using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace FunctionsJobs.Core.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>
    /// The Orders domain for both runtimes: intake, workflow, stores, the sandbox payment gateway,
    /// the SMTP sender, the order supervisor and the retention of idempotency and outbox records. A
    /// runtime adds its triggers; a test or a real provider replaces <see cref="IPaymentGateway"/>,
    /// <see cref="IMailSender"/> or <see cref="IOrderDispatcher"/> (Service Bus) after this call.
    /// </summary>
    public static IServiceCollection AddOrders(this IServiceCollection services, IConfiguration configuration)
    {
        var options = OrdersOptions.FromConfiguration(configuration);
        services.TryAddSingleton(options);
        services.TryAddSingleton<OrdersStorage>();
        services.TryAddSingleton<OrderStore>();
        services.TryAddSingleton<InventoryStore>();
        services.TryAddSingleton<SkuCatalog>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<OrderIntake>();
        services.TryAddSingleton<MailOutbox>();
        services.TryAddSingleton<IPaymentGateway, SandboxPaymentGateway>();
        services.TryAddSingleton<IMailSender, SmtpMailSender>();
        services.TryAddSingleton<IOrderDispatcher, StorageQueueOrderDispatcher>();
        services.TryAddScoped<OrderWorkflow>();

        services.TryAddSingleton(OrderSupervisorOptions.FromConfiguration(configuration));
        services.AddScheduledJob<OrderSupervisorJob>();
        services.AddRetentionSource<IdempotencyRetention>();
        services.AddRetentionSource<MailOutboxRetention>();
        if (options.SeedInventory)
        {
            services.AddSingleton<IHostedService, InventorySeeder>();
        }

        return services;
    }
}
