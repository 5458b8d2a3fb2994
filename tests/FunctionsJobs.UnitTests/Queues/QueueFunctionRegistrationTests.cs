using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionsJobs.UnitTests.Queues;

public sealed class QueueFunctionRegistrationTests
{
    private const string QueueSetting = "Queues:Orders";

    [Theory]
    [InlineData("Orders")]
    [InlineData("orders_in")]
    [InlineData("ab")]
    [InlineData("orders--in")]
    public void Invalid_queue_name_from_a_setting_fails_naming_that_setting(string queueName)
    {
        var services = new ServiceCollection();
        var config = TestConfig.From((QueueSetting, queueName));

        var error = Assert.Throws<InvalidSettingException>(() =>
            services.AddQueueFunction<NoopHandler, string>(config, "ProcessOrder", QueueSetting, "orders"));

        Assert.Equal(QueueSetting, error.Setting);
        Assert.Contains($"'{QueueSetting}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{queueName}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void Invalid_default_queue_name_is_rejected_too()
    {
        var error = Assert.Throws<InvalidSettingException>(() =>
            new ServiceCollection().AddQueueFunction<NoopHandler, string>(TestConfig.From(), "ProcessOrder", QueueSetting, "Bad_Default"));

        Assert.Equal(QueueSetting, error.Setting);
    }

    [Fact]
    public void Blank_queue_setting_fails_naming_that_setting()
    {
        var error = Assert.Throws<InvalidSettingException>(() =>
            new ServiceCollection().AddQueueFunction<NoopHandler, string>(TestConfig.From((QueueSetting, " ")), "ProcessOrder", QueueSetting, "orders"));

        Assert.Equal(QueueSetting, error.Setting);
    }

    [Fact]
    public void Queue_name_comes_from_the_setting()
    {
        var services = new ServiceCollection();

        services.AddQueueFunction<NoopHandler, string>(TestConfig.From((QueueSetting, "orders-eu")), "ProcessOrder", QueueSetting, "orders");

        var function = Assert.Single(services, d => d.ServiceType == typeof(QueueFunction)).ImplementationInstance as QueueFunction;
        Assert.NotNull(function);
        Assert.Equal(new QueueFunction("ProcessOrder", QueueSetting, "orders-eu", typeof(string), typeof(NoopHandler)), function);
        Assert.Equal("orders-eu-poison", function.PoisonQueueName);
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(NoopHandler) && d.Lifetime == ServiceLifetime.Scoped);
    }

    [Fact]
    public void Queue_name_falls_back_to_the_default()
    {
        var services = new ServiceCollection();

        services.AddQueueFunction<NoopHandler, string>(TestConfig.From(), "ProcessOrder", QueueSetting, "orders");

        var function = Assert.Single(services, d => d.ServiceType == typeof(QueueFunction)).ImplementationInstance as QueueFunction;
        Assert.Equal("orders", function?.QueueName);
    }

    public sealed class NoopHandler : IQueueHandler<string>
    {
        public Task HandleAsync(string message, QueueMessageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
