using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.Core.Orders;

/// <summary>
/// Orders settings that suit a developer's machine and must not reach production unnoticed. The
/// Host checks them at start-up outside Development, so a copied sample configuration stops with
/// one line naming the setting instead of taking orders it cannot honour.
/// </summary>
public static class OrdersProductionSettings
{
    /// <exception cref="InvalidSettingException">A setting is unsafe outside Development.</exception>
    public static void Verify(OrdersOptions options, IPaymentGateway gateway)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The sandbox charges nobody: orders would complete unpaid. Running it must be a decision.
        if (gateway is SandboxPaymentGateway && options.PaymentGateway != OrdersSettings.SandboxGateway)
        {
            throw new InvalidSettingException(
                OrdersSettings.PaymentGateway,
                $"is not set: outside Development the sandbox payment gateway would take orders without charging anyone; set it to {OrdersSettings.SandboxGateway} to run the sandbox on purpose, or register a real IPaymentGateway");
        }

        if (!string.IsNullOrEmpty(options.SmtpUserName) && !options.SmtpRequiresTls)
        {
            throw new InvalidSettingException(
                OrdersSettings.SmtpSecurity,
                $"must be StartTls or SslOnConnect (or Auto on port 465) when {OrdersSettings.SmtpUserName} is set, not '{options.SmtpSecurity}' on port {options.SmtpPort}: outside Development the SMTP password would travel without TLS");
        }
    }
}
