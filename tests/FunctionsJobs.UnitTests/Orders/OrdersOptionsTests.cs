using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.UnitTests.Orders;

public sealed class OrdersOptionsTests
{
    [Fact]
    public void Defaults_need_no_setting()
    {
        var options = OrdersOptions.FromConfiguration(TestConfig.From());

        Assert.Equal("orders", options.QueueName);
        Assert.Equal(OrdersTransport.StorageQueue, options.Transport);
        Assert.Equal(("127.0.0.1", 1025), (options.SmtpHost, options.SmtpPort));
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(100, options.MaxLines);
        Assert.False(options.SeedInventory);
    }

    [Fact]
    public void The_last_delivery_is_read_from_host_json_maxDequeueCount_as_Functions_names_it()
    {
        var options = OrdersOptions.FromConfiguration(TestConfig.From(("AzureFunctionsJobHost:extensions:queues:maxDequeueCount", "3"), ("OrdersTransport", "servicebus")));

        Assert.Equal(3, options.MaxDequeueCount);
        Assert.Equal(OrdersTransport.ServiceBus, options.Transport);
    }

    [Theory]
    [InlineData("OrdersTransport", "Kafka", "must be one of StorageQueue, ServiceBus")]
    [InlineData("OrdersSmtpPort", "70000", "must be a whole number from 1 to 65535")]
    [InlineData("OrdersMaxLines", "0", "must be a whole number from 1 to 1000")]
    [InlineData("OrdersSeedInventory", "yes", "must be true or false")]
    [InlineData("OrdersMailFrom", "orders", "must be an e-mail address")]
    [InlineData("OrdersTableName", "orders-table", "must be a table name")]
    [InlineData("OrdersSmtpSecurity", "Tls13", "must be one of None, StartTls, SslOnConnect, Auto")]
    [InlineData("OrdersMailClaim", "soon", "must be a time span")]
    [InlineData("OrdersPaymentGateway", "Stripe", "must be one of Sandbox")]
    public void A_bad_setting_is_named_in_one_line(string setting, string value, string problem)
    {
        var error = Assert.Throws<InvalidSettingException>(() => OrdersOptions.FromConfiguration(TestConfig.From((setting, value))));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("None", 25, false)]
    [InlineData("Auto", 587, false)]
    [InlineData("Auto", 465, true)]
    [InlineData("StartTls", 587, true)]
    [InlineData("sslonconnect", 465, true)]
    public void An_smtp_password_only_travels_where_tls_is_certain(string security, int port, bool tls)
    {
        var options = new OrdersOptions { SmtpSecurity = security, SmtpPort = port, SmtpUserName = "orders", SmtpPassword = "secret" };
        var sandbox = new SandboxPaymentGateway(null!, options, TimeProvider.System);

        Assert.Equal(tls, options.SmtpRequiresTls);
        var verify = () => OrdersProductionSettings.Verify(options with { PaymentGateway = OrdersSettings.SandboxGateway }, sandbox);
        if (tls)
        {
            verify();
        }
        else
        {
            Assert.Equal("OrdersSmtpSecurity", Assert.Throws<InvalidSettingException>(verify).Setting);
        }
    }
}
