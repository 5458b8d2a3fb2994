using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsJobs.Host.Queues;

/// <summary>A queue-triggered function of the Host: the twin of a Functions <c>[QueueTrigger]</c> method.</summary>
/// <param name="Name">The function name, the same as the <c>[Function]</c> name in the Functions app.</param>
/// <param name="QueueSetting">The setting that names the queue (the <c>%Setting%</c> of the Functions attribute).</param>
/// <param name="QueueName">The queue name that setting resolved to.</param>
/// <param name="MessageType">What the handler receives.</param>
/// <param name="HandlerType">The <see cref="IQueueHandler{TMessage}"/> implementation.</param>
public sealed record QueueFunction(string Name, string QueueSetting, string QueueName, Type MessageType, Type HandlerType) : IHostFunction
{
    public string Trigger => "queueTrigger";

    public string Source => QueueName;

    public IReadOnlyList<string> Settings => [QueueSetting];

    public string PoisonQueueName => PoisonQueue.NameFor(QueueName);
}

public static class QueueFunctionRegistration
{
    /// <summary>
    /// Runs <typeparamref name="THandler"/> for every message of the queue named by
    /// <paramref name="queueSetting"/>, with the queue-trigger semantics of <c>host.json</c>.
    /// </summary>
    public static IServiceCollection AddQueueFunction<THandler, TMessage>(
        this IServiceCollection services, IConfiguration configuration, string name, string queueSetting, string defaultQueueName)
        where THandler : class, IQueueHandler<TMessage>
    {
        var queueName = configuration.GetSetting(queueSetting, defaultQueueName);
        if (!StorageNames.IsQueueName(queueName))
        {
            throw new InvalidSettingException(queueSetting, $"must be a queue name (3-56 lowercase letters, digits and single hyphens), not '{queueName}'");
        }

        var function = new QueueFunction(name, queueSetting, queueName, typeof(TMessage), typeof(THandler));
        services.TryAddSingleton<QueueWakeups>();

        // This process's own sends wake its listeners at once (replaces Core's do-nothing default).
        services.Replace(ServiceDescriptor.Singleton<IQueueSendObserver>(sp => sp.GetRequiredService<QueueWakeups>()));
        services.TryAddScoped<THandler>();
        services.AddSingleton(function);
        services.AddSingleton<IHostFunction>(function);
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<QueueListener<TMessage>>(sp, function));
        return services;
    }
}
