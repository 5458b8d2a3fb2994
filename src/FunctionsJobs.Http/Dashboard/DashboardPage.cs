using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using FunctionsJobs.Core.Queues;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Http.Dashboard;

/// <summary>
/// The page: one HTML response with its style and script inline (embedded in this assembly, no CDN),
/// so it needs no second authorized request, and a Content-Security-Policy that runs only that
/// script and style (a fresh nonce per response) and lets the page talk to its own origin only.
/// </summary>
internal static class DashboardPage
{
    private static readonly string Template = Read("dashboard.html")
        .Replace("{{style}}", Read("dashboard.css"), StringComparison.Ordinal)
        .Replace("{{script}}", Read("dashboard.js"), StringComparison.Ordinal);

    public static IResult Render(HttpContext context, DashboardFeatures features)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var html = Template
            .Replace("{{nonce}}", nonce, StringComparison.Ordinal)
            .Replace("{{features}}", HtmlEncoder.Default.Encode(JsonSerializer.Serialize(features, JobJson.Options)), StringComparison.Ordinal);
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static string Read(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream($"FunctionsJobs.Http.Dashboard.Assets.{name}")
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
