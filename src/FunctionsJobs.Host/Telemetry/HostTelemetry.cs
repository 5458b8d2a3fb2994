using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FunctionsJobs.Host.Telemetry;

/// <summary>
/// OpenTelemetry for the Host, switched on by the standard variables: traces, metrics and logs go
/// over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the exporter's other
/// <c>OTEL_*</c> variables), and to Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>
/// is set; both may be set. With neither, no SDK is registered and the jobs' spans have no listener.
/// The sources are registered either way, so a test (or an embedding app) that adds the SDK itself
/// with its own exporter gets the same spans and instruments.
/// </summary>
internal static class HostTelemetry
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// Entra ID instead of the connection string's key, as infra/main.bicep sets it for the app:
    /// <c>Authorization=AAD</c> (system-assigned identity) or <c>Authorization=AAD;ClientId={client id}</c>.
    /// The Application Insights SDK reads this variable itself; the OpenTelemetry distro needs the credential.
    /// </summary>
    public const string AzureMonitorAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";
    public const string DefaultServiceName = "FunctionsJobs.Host";

    /// <summary>How often the queue depth gauges are sampled (one listing plus two reads per queue).</summary>
    public const string DepthSampleIntervalSetting = "FunctionsJobs:QueueDepthSampleInterval";
    public static readonly TimeSpan DefaultDepthSampleInterval = TimeSpan.FromSeconds(30);

    public static void AddHostTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSingleton(new QueueDepthSampler.Interval(configuration.GetTimeSpan(DepthSampleIntervalSetting, DefaultDepthSampleInterval, TimeSpan.FromSeconds(1))));
        builder.Services.AddHostedService<QueueDepthSampler>();

        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(FunctionsJobsTelemetry.Name)
            .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal)));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddMeter(FunctionsJobsTelemetry.Name)
            .AddAspNetCoreInstrumentation());

        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        var azureMonitor = !string.IsNullOrWhiteSpace(configuration[AzureMonitorSetting]);
        if (!otlp && !azureMonitor)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration.GetSetting(ServiceNameSetting, DefaultServiceName)))
            .WithTracing(_ => { })
            .WithMetrics(_ => { })
            .WithLogging();
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        if (azureMonitor)
        {
            var credential = EntraCredential(configuration[AzureMonitorAuthenticationSetting]);
            telemetry.UseAzureMonitor(o =>
            {
                o.ConnectionString = configuration[AzureMonitorSetting];
                o.Credential = credential;
            });
        }
    }

    /// <summary>The managed identity that <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> names, or null without one.</summary>
    internal static TokenCredential? EntraCredential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(part => part[0], part => part.Length == 2 ? part[1] : string.Empty, StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var mode) || !string.Equals(mode, "AAD", StringComparison.OrdinalIgnoreCase) || parts.Keys.Any(k => !k.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !k.Equals("ClientId", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidSettingException(AzureMonitorAuthenticationSetting, "must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id>'");
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
