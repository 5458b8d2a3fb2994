using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Retention;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Core.Callbacks;

public static class CallbacksServiceCollectionExtensions
{
    /// <summary>
    /// Returning results to callers, for both runtimes: callback and reply-queue intake, the outbox,
    /// the SSRF-safe signed sender, the delivery handler (a runtime registers its queue trigger,
    /// <see cref="CallbackDelivery.FunctionName"/>), the dead letters, and the shared long-poll watchers.
    /// </summary>
    public static IServiceCollection AddCallbacks(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(CallbackSettings.FromConfiguration(configuration));
        services.TryAddSingleton(_ => new CallbackHostResolver());
        services.TryAddSingleton<CallbackRequests>();
        services.TryAddSingleton<WebhookSigner>();
        services.TryAddSingleton<CallbackHttpSender>();
        services.TryAddSingleton<ReplyQueueSender>();
        services.TryAddSingleton<ReceiverSlots>();
        services.TryAddSingleton<CallbackOutbox>();
        services.TryAddSingleton<CallbackDeadLetters>();
        services.AddRetentionSource<CallbackDeadLettersRetention>();
        services.TryAddSingleton<CallbackCommits>();
        services.TryAddSingleton<OrderCallbacks>();
        services.TryAddSingleton<ImageCallbacks>();
        services.TryAddScoped<CallbackDelivery>();
        services.TryAddSingleton(sp => new StatusWatch<Order>(o => o.Status.ToString(), o => o.IsTerminal, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new StatusWatch<ImageRecord>(
            r => r.Status.ToString(), r => r.Status is ImageStatus.Done or ImageStatus.Failed, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
