using System.Globalization;
using FunctionsJobs.Core.Queues;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Http.Dashboard;

/// <summary>
/// The operations dashboard for both runtimes, one admin-level function: <c>{base}</c> is the page,
/// <c>{base}/data/{queues|jobs|orders|images|throughput}</c> its data, which the page polls. The Host
/// serves it at <c>/dashboard</c> (and <c>/api/dashboard</c>, the Functions app's path).
/// </summary>
public static class DashboardHttp
{
    public const string Function = "Dashboard";
    public const string Route = "dashboard/{*path}";

    /// <summary>
    /// Sent by the page's every request. The Host requires it (and a same-origin <c>Origin</c>) on a
    /// state-changing request that its session cookie authenticates: another site can make a
    /// browser send the cookie (SameSite aside) but not this header without a CORS preflight.
    /// </summary>
    public const string PageHeader = "X-FunctionsJobs-Dashboard";

    public static async Task<IResult> HandleAsync(HttpRequest request, string? path, DashboardData data, DashboardFeatures features, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(features);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        switch (path?.Trim('/'))
        {
            case null or "":
                return DashboardPage.Render(request.HttpContext, features);
            case "data/queues":
                return Json(await data.QueuesAsync(cancellationToken).ConfigureAwait(false));
            case "data/jobs":
                return Json(await data.JobsAsync(cancellationToken).ConfigureAwait(false));
            case "data/orders":
                return TryReadMax(request, out var orders) is { } badOrders ? badOrders : Json(await data.OrdersAsync(orders, cancellationToken).ConfigureAwait(false));
            case "data/images":
                return TryReadMax(request, out var images) is { } badImages ? badImages : Json(await data.ImagesAsync(images, cancellationToken).ConfigureAwait(false));
            case "data/throughput":
                return Json(data.Throughput());
            default:
                return Problems.Of(StatusCodes.Status404NotFound, "Not found", $"The dashboard has no '{Problems.Printable(path)}'.");
        }
    }

    private static IResult Json<T>(T value) => Results.Json(value, JobJson.Options);

    private static IResult? TryReadMax(HttpRequest request, out int max)
    {
        max = DashboardData.DefaultItems;
        if (request.Query.TryGetValue("max", out var value)
            && (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1 || max > DashboardData.MaxItems))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Invalid max", $"max must be a whole number from 1 to {DashboardData.MaxItems}, not '{Problems.Printable(value)}'.");
        }

        return null;
    }
}
