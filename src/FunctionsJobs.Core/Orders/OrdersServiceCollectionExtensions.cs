using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace FunctionsJobs.Core.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>
    /// The Orders domain for both runtimes: intake, workflow, stores, the sandbox payment gateway
    /// and the SMTP sender. A runtime adds its triggers; a test or a real provider replaces
    /// <see cref="IPaymentGateway"/> or <see cref="IMailSender"/> after this call.
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
        services.TryAddScoped<OrderWorkflow>();
        if (options.SeedInventory)
        {
            services.AddSingleton<IHostedService, InventorySeeder>();
        }

        return services;
    }
}
