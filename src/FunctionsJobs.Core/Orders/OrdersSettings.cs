using FunctionsJobs.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Orders;

/// <summary>How the HTTP starter hands an accepted order to the workflow.</summary>
public enum OrdersTransport
{
    /// <summary>A storage queue: what the Host runs and what <c>func start</c> runs with Azurite alone.</summary>
    StorageQueue,

    /// <summary>A Service Bus queue of the same name (Functions only): a sender with MessageId = order id, and a <c>ServiceBusTrigger</c>.</summary>
    ServiceBus,
}

/// <summary>
/// The settings of the Orders job: names (the <c>%Name%</c> of Functions attributes) and defaults in
/// one place. <see cref="OrdersOptions.FromConfiguration"/> reads and checks them.
/// </summary>
public static class OrdersSettings
{
    public const string QueueName = "OrdersQueueName";
    public const string DefaultQueueName = "orders";
    public const string OrdersTable = "OrdersTableName";
    public const string InventoryTable = "InventoryTableName";
    public const string PaymentsTable = "PaymentsTableName";
    public const string OutboxTable = "OrdersOutboxTableName";
    public const string Transport = "OrdersTransport";
    public const string SmtpHost = "OrdersSmtpHost";
    public const string SmtpPort = "OrdersSmtpPort";
    public const string SmtpSecurity = "OrdersSmtpSecurity";
    public const string SmtpUserName = "OrdersSmtpUserName";
    public const string SmtpPassword = "OrdersSmtpPassword";
    public const string MailFrom = "OrdersMailFrom";
    public const string MailClaim = "OrdersMailClaim";
    public const string MaxLines = "OrdersMaxLines";
    public const string MaxQuantity = "OrdersMaxQuantityPerLine";
    public const string MaxBodyBytes = "OrdersMaxBodyBytes";
    public const string SeedInventory = "OrdersSeedInventory";
    public const string SandboxTransientFailures = "PaymentSandboxTransientFailures";

    /// <summary>
    /// <c>Sandbox</c>: run the sandbox gateway on purpose. Outside Development the Host refuses to
    /// take orders through the sandbox (which charges nobody) unless this says so.
    /// </summary>
    public const string PaymentGateway = "OrdersPaymentGateway";
    public const string SandboxGateway = "Sandbox";

    /// <summary>
    /// The queue trigger's <c>maxDequeueCount</c> under the name Functions gives it as an app setting,
    /// so the workflow knows which delivery is the last one. The Host fills it from host.json.
    /// </summary>
    public const string MaxDequeueCount = "AzureFunctionsJobHost:extensions:queues:maxDequeueCount";

    /// <summary>The Service Bus queue's MaxDeliveryCount (10 unless the queue says otherwise).</summary>
    public const string ServiceBusMaxDeliveryCount = "OrdersServiceBusMaxDeliveryCount";

    /// <summary>Days an <c>Idempotency-Key</c> is remembered (retention clean-up); a client retrying later places a new order.</summary>
    public const string RetentionIdempotencyDays = "RetentionIdempotencyDays";
    public const int DefaultRetentionIdempotencyDays = 7;

    /// <summary>Days an e-mail outbox record is kept once its order is terminal (retention clean-up).</summary>
    public const string RetentionOutboxDays = "RetentionOutboxDays";
    public const int DefaultRetentionOutboxDays = 30;
}

/// <summary>The Orders settings, read once and checked, so a bad value stops start-up with its name.</summary>
public sealed record OrdersOptions
{
    public string QueueName { get; init; } = OrdersSettings.DefaultQueueName;

    public string OrdersTableName { get; init; } = "Orders";

    public string InventoryTableName { get; init; } = "Inventory";

    public string PaymentsTableName { get; init; } = "Payments";

    /// <summary>Idempotency-Key records and the e-mail outbox.</summary>
    public string OutboxTableName { get; init; } = "OrdersOutbox";

    public OrdersTransport Transport { get; init; } = OrdersTransport.StorageQueue;

    public string SmtpHost { get; init; } = "127.0.0.1";

    public int SmtpPort { get; init; } = 1025;

    /// <summary>None (a local sink), StartTls, SslOnConnect or Auto, as MailKit names them.</summary>
    public string SmtpSecurity { get; init; } = "None";

    public string? SmtpUserName { get; init; }

    public string? SmtpPassword { get; init; }

    public string MailFrom { get; init; } = "orders@functionsjobs.local";

    /// <summary>
    /// How long one delivery owns the sending of an e-mail. A second delivery waits that long for
    /// it to be marked sent before it takes over; longer than one SMTP exchange may take.
    /// </summary>
    public TimeSpan MailClaim { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxLines { get; init; } = 100;

    public int MaxQuantityPerLine { get; init; } = 1000;

    /// <summary>Large enough for <see cref="MaxLines"/> lines with room to spare, small enough to refuse junk early.</summary>
    public int MaxBodyBytes { get; init; } = 512 * 1024;

    public bool SeedInventory { get; init; }

    public int MaxDequeueCount { get; init; } = 5;

    public int ServiceBusMaxDeliveryCount { get; init; } = 10;

    /// <summary>How many calls with <c>tok_transient</c> fail before the sandbox gateway accepts it.</summary>
    public int SandboxTransientFailures { get; init; } = 2;

    /// <summary><see cref="OrdersSettings.SandboxGateway"/> when the sandbox gateway was chosen explicitly; null when not set.</summary>
    public string? PaymentGateway { get; init; }

    /// <summary>
    /// True when the SMTP connection is encrypted before anything is sent: StartTls (required),
    /// SslOnConnect, or Auto on port 465 (MailKit's Auto elsewhere takes STARTTLS only when the
    /// server offers it, and goes on in clear text when it does not).
    /// </summary>
    public bool SmtpRequiresTls => SmtpSecurity.ToUpperInvariant() switch
    {
        "STARTTLS" or "SSLONCONNECT" => true,
        "AUTO" => SmtpPort == 465,
        _ => false,
    };

    public static OrdersOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new OrdersOptions();
        return new OrdersOptions
        {
            QueueName = configuration.GetSetting(OrdersSettings.QueueName, defaults.QueueName),
            OrdersTableName = configuration.GetTableName(OrdersSettings.OrdersTable, defaults.OrdersTableName),
            InventoryTableName = configuration.GetTableName(OrdersSettings.InventoryTable, defaults.InventoryTableName),
            PaymentsTableName = configuration.GetTableName(OrdersSettings.PaymentsTable, defaults.PaymentsTableName),
            OutboxTableName = configuration.GetTableName(OrdersSettings.OutboxTable, defaults.OutboxTableName),
            Transport = Enum(configuration, OrdersSettings.Transport, defaults.Transport),
            SmtpHost = configuration.GetSetting(OrdersSettings.SmtpHost, defaults.SmtpHost),
            SmtpPort = configuration.GetInt(OrdersSettings.SmtpPort, defaults.SmtpPort, 1, 65535),
            SmtpSecurity = OneOf(configuration, OrdersSettings.SmtpSecurity, defaults.SmtpSecurity, "None", "StartTls", "SslOnConnect", "Auto"),
            SmtpUserName = configuration[OrdersSettings.SmtpUserName],
            SmtpPassword = configuration[OrdersSettings.SmtpPassword],
            MailFrom = MailAddress(configuration, OrdersSettings.MailFrom, defaults.MailFrom),
            MailClaim = configuration.GetTimeSpan(OrdersSettings.MailClaim, defaults.MailClaim, TimeSpan.FromSeconds(1)),
            MaxLines = configuration.GetInt(OrdersSettings.MaxLines, defaults.MaxLines, 1, 1000),
            MaxQuantityPerLine = configuration.GetInt(OrdersSettings.MaxQuantity, defaults.MaxQuantityPerLine, 1, 1_000_000),
            MaxBodyBytes = configuration.GetInt(OrdersSettings.MaxBodyBytes, defaults.MaxBodyBytes, 1024, 16 * 1024 * 1024),
            SeedInventory = configuration.GetBool(OrdersSettings.SeedInventory, defaults.SeedInventory),
            MaxDequeueCount = configuration.GetInt(OrdersSettings.MaxDequeueCount, defaults.MaxDequeueCount, 1, 1000),
            ServiceBusMaxDeliveryCount = configuration.GetInt(OrdersSettings.ServiceBusMaxDeliveryCount, defaults.ServiceBusMaxDeliveryCount, 1, 2000),
            SandboxTransientFailures = configuration.GetInt(OrdersSettings.SandboxTransientFailures, defaults.SandboxTransientFailures, 0, 100),
            PaymentGateway = configuration[OrdersSettings.PaymentGateway] is null ? null : OneOf(configuration, OrdersSettings.PaymentGateway, OrdersSettings.SandboxGateway, OrdersSettings.SandboxGateway),
        };
    }

    private static T Enum<T>(IConfiguration configuration, string name, T fallback)
        where T : struct, System.Enum
    {
        var value = configuration[name];
        if (value is null)
        {
            return fallback;
        }

        return System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed)
            ? parsed
            : throw new InvalidSettingException(name, $"must be one of {string.Join(", ", System.Enum.GetNames<T>())}, not '{value}'");
    }

    private static string OneOf(IConfiguration configuration, string name, string fallback, params string[] allowed)
    {
        var value = configuration.GetSetting(name, fallback);
        return allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidSettingException(name, $"must be one of {string.Join(", ", allowed)}, not '{value}'");
    }

    private static string MailAddress(IConfiguration configuration, string name, string fallback)
    {
        var value = configuration.GetSetting(name, fallback);
        return EmailAddress.IsValid(value) ? value : throw new InvalidSettingException(name, $"must be an e-mail address, not '{value}'");
    }
}
