using FunctionsJobs.Core;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Configuration;
using FunctionsJobs.Host.Dashboard;
using FunctionsJobs.Host.Functions;
using FunctionsJobs.Host.Health;
using FunctionsJobs.Host.Http;
using FunctionsJobs.Host.Queues;
using FunctionsJobs.Host.Telemetry;
using FunctionsJobs.Http.Dashboard;
using Microsoft.Extensions.Configuration.Memory;

namespace FunctionsJobs.Host;

/// <summary>
/// The self-hosted runtime: the jobs of the Functions app on the generic host and Kestrel, with
/// the same host.json, the same settings and the same routes.
/// </summary>
public static partial class HostApplication
{
    /// <summary>The port <c>func start</c> uses, so scripts and docs work against either runtime.</summary>
    public const string DefaultUrl = "http://localhost:7071";

    /// <summary>Builds the Host; <paramref name="configure"/> lets a test or an embedding app add functions or settings.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Functions names its environment with this variable; honour it before the ASP.NET ones.
            EnvironmentName = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT"),
        });

        AddFunctionsConfiguration(builder.Configuration, builder.Environment.ContentRootPath);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]) && string.IsNullOrEmpty(builder.Configuration["https_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // host.json logging.logLevel drives both runtimes' log filters.
        builder.Logging.AddConfiguration(builder.Configuration.GetSection(HostJsonFile.Prefix + ":logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        var hostOptions = HostRuntimeOptions.FromConfiguration(builder.Configuration);
        builder.Services.AddFunctionsJobsCore(builder.Configuration);
        builder.Services.AddSingleton(hostOptions);
        builder.Services.AddSingleton(QueueTriggerOptions.FromConfiguration(builder.Configuration));
        builder.Services.AddSingleton<PoisonQueue>();
        builder.Services.AddSingleton(FunctionKeys.FromConfiguration(builder.Configuration, builder.Environment.IsDevelopment()));
        builder.Services.AddProblemDetails();
        builder.Services.AddHostHealthChecks();
        builder.Services.Configure<HostOptions>(o =>
        {
            // Every listener drains at once, so shutdown takes one drain timeout, not one per queue.
            o.ServicesStartConcurrently = true;
            o.ServicesStopConcurrently = true;
            o.ShutdownTimeout = hostOptions.DrainTimeout + TimeSpan.FromSeconds(15);
        });

        builder.Services.AddSingleton<FunctionCatalog>();
        builder.AddHostTelemetry();
        builder.Services.AddDashboard(DashboardEndpoints.Features);
        HostJobs.Add(builder);
        configure?.Invoke(builder);

        var app = builder.Build();

        // Fail now, with one line naming the setting, rather than on the first message or request.
        _ = app.Services.GetRequiredService<StorageAccount>();
        if (!app.Environment.IsDevelopment())
        {
            OrdersProductionSettings.Verify(app.Services.GetRequiredService<OrdersOptions>(), app.Services.GetRequiredService<IPaymentGateway>());
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<FunctionKeyMiddleware>();
        app.MapHostHealth();
        app.MapQueueAdmin();
        app.MapDashboard();
        FunctionCatalog.Map(app);
        HostJobs.Map(app);

        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app));
        return app;
    }

    /// <summary>Runs the Host until Ctrl+C or SIGTERM; a bad setting ends it with one line and exit code 1.</summary>
    public static async Task<int> RunAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplication app;
        try
        {
            app = Build(args, configure);
        }
        catch (Exception ex) when (FindSettingError(ex) is { } settingError)
        {
            await Console.Error.WriteLineAsync($"FunctionsJobs.Host: start-up failed: {settingError.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync().ConfigureAwait(false);
        }

        return 0;
    }

    internal static void AddFunctionsConfiguration(IConfigurationManager configuration, string contentRoot)
    {
        // Lowest precedence first: host.json, then local.settings.json Values; the default
        // sources (appsettings, environment variables, command line) stay above both.
        var hostJson = HostJsonFile.Locate(contentRoot);
        var sources = configuration.Sources;
        sources.Insert(0, new MemoryConfigurationSource { InitialData = LocalSettingsFile.Read(contentRoot) });
        if (hostJson is not null)
        {
            sources.Insert(0, new MemoryConfigurationSource { InitialData = HostJsonFile.Read(hostJson) });
        }
    }

    private static InvalidSettingException? FindSettingError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is InvalidSettingException setting)
            {
                return setting;
            }
        }

        return null;
    }

    private static void LogStarted(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FunctionsJobs.Host");
        foreach (var function in app.Services.GetRequiredService<FunctionCatalog>().List())
        {
            LogFunction(logger, function.Name, function.Trigger, function.Source);
        }

        var keys = app.Services.GetRequiredService<FunctionKeys>();
        if (app.Environment.IsDevelopment())
        {
            LogDevelopmentKeys(logger, keys.FunctionKey, keys.MasterKey, keys.Generated ? "generated for this run" : "from settings");
        }

        LogListening(logger, string.Join(", ", app.Urls), app.Environment.EnvironmentName);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {FunctionName}: {Trigger} on {Source}")]
    private static partial void LogFunction(ILogger logger, string functionName, string trigger, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Development keys ({KeySource}): function key {FunctionKey}, master key {MasterKey}")]
    private static partial void LogDevelopmentKeys(ILogger logger, string functionKey, string masterKey, string keySource);

    [LoggerMessage(Level = LogLevel.Information, Message = "FunctionsJobs Host running on {Urls} ({Environment})")]
    private static partial void LogListening(ILogger logger, string urls, string environment);
}
