using FunctionsJobs.Core.Thumbnails;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Http;

/// <summary>RFC 9457 problem details, as every route of both runtimes answers an error.</summary>
internal static class Problems
{
    public static IResult Of(int status, string title, string? detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);

    /// <summary>What a client sent, safe to echo inside a detail: control characters escaped, length capped.</summary>
    public static string Printable(string? text) => string.IsNullOrEmpty(text) ? string.Empty : ImageName.Printable(text);
}
