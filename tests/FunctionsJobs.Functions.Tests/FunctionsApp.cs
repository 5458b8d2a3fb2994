using System.Globalization;
using System.Reflection;
using FunctionsJobs.Functions.Tests.Http;
using FunctionsJobs.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Functions.Tests;

/// <summary>
/// The Functions app in-process: its services built by <see cref="FunctionsAppServices.AddFunctionsApp"/>,
/// as Program.cs builds them, against a test's Azurite and maildev. HTTP functions are invoked as the
/// ASP.NET Core integration invokes them: the route matched against the trigger's template, route
/// values bound by parameter name, the returned <see cref="IResult"/> executed on the request's context.
/// </summary>
public sealed class FunctionsApp : IAsyncDisposable
{
    private static readonly IReadOnlyList<HttpFunction> HttpFunctions = FindHttpFunctions();
    private readonly ServiceProvider _services;
    private readonly List<AsyncServiceScope> _scopes = [];

    private FunctionsApp(ServiceProvider services, LogSink logs)
    {
        _services = services;
        Logs = logs;
    }

    public IServiceProvider Services => _services;

    public LogSink Logs { get; }

    /// <summary>Builds the app and starts its hosted services, as the worker's host does.</summary>
    /// <param name="settings">App settings over the defaults (storage and SMTP of the fixture).</param>
    public static async Task<FunctionsApp> StartAsync(AppFixture fixture, IReadOnlyDictionary<string, string>? settings = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["AzureWebJobsStorage"] = fixture.Azurite.ConnectionString };
        foreach (var (key, value) in fixture.Mail.Settings.Concat(settings ?? new Dictionary<string, string>()))
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new LogSink();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug))
            .AddFunctionsApp(configuration);
        var app = new FunctionsApp(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), logs);
        foreach (var hosted in app._services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return app;
    }

    /// <summary>A function class as the worker makes one for an invocation: constructor services from a scope of its own.</summary>
    public T Function<T>()
        where T : class => (T)Function(typeof(T));

    public object Function(Type functionType)
    {
        var scope = _services.CreateAsyncScope();
        _scopes.Add(scope);
        return ActivatorUtilities.CreateInstance(scope.ServiceProvider, functionType);
    }

    /// <summary>Sends a request to whichever HTTP function's method and route match, or answers 404 as the host does.</summary>
    public async Task<HttpAnswer> SendAsync(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = await ToContextAsync(request).ConfigureAwait(false);
        var path = context.Request.Path.Value!;
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return HttpAnswer.NotFound;
        }

        foreach (var function in HttpFunctions.Where(f => f.Methods.Contains(request.Method.Method, StringComparer.OrdinalIgnoreCase)))
        {
            var values = new RouteValueDictionary();
            if (function.Matcher.TryMatch(path["/api".Length..], values) && function.ConstraintsHold(values))
            {
                await using var scope = _services.CreateAsyncScope();
                context.RequestServices = scope.ServiceProvider;
                var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Method.DeclaringType!);
                var arguments = function.Method.GetParameters().Select(p => Bind(p, context, values)).ToArray();
                var result = await (Task<IResult>)function.Method.Invoke(instance, arguments)!;
                await result.ExecuteAsync(context);
                await context.Response.CompleteAsync();
                return await HttpAnswer.FromAsync(context.Response).ConfigureAwait(false);
            }
        }

        return HttpAnswer.NotFound;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var scope in _scopes)
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }

        await _services.DisposeAsync().ConfigureAwait(false);
    }

    private static object? Bind(ParameterInfo parameter, HttpContext context, RouteValueDictionary values)
    {
        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return context.Request;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return context.RequestAborted;
        }

        var value = values[parameter.Name!]?.ToString();
        return parameter.ParameterType == typeof(int) ? int.Parse(value!, CultureInfo.InvariantCulture) : value;
    }

    private static async Task<HttpContext> ToContextAsync(HttpRequestMessage request)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = request.Method.Method;
        var uri = new Uri(new Uri("http://localhost"), request.RequestUri!);
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);
        foreach (var (name, value) in request.Headers)
        {
            context.Request.Headers[name] = value.ToArray();
        }

        if (request.Content is { } content)
        {
            foreach (var (name, value) in content.Headers)
            {
                context.Request.Headers[name] = value.ToArray();
            }

            var body = await content.ReadAsByteArrayAsync().ConfigureAwait(false);
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength ??= body.Length;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static List<HttpFunction> FindHttpFunctions() =>
        [.. typeof(FunctionsAppServices).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .Select(m => (Method: m, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Trigger is not null)
            .Select(x => new HttpFunction(x.Method, x.Trigger!.Methods ?? [], TemplateParser.Parse(x.Trigger.Route!)))];

    private sealed record HttpFunction(MethodInfo Method, string[] Methods, RouteTemplate Template)
    {
        public TemplateMatcher Matcher { get; } = new(Template, new RouteValueDictionary());

        /// <summary>The one inline constraint the app's routes use: <c>:int</c>.</summary>
        public bool ConstraintsHold(RouteValueDictionary values) => Template.Parameters
            .Where(p => p.InlineConstraints.Any(c => c.Constraint == "int"))
            .All(p => int.TryParse(values[p.Name!]?.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
    }
}
