using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Functions.Tests.Http;

/// <summary>What a runtime answered, in one shape for the Host (over HTTP) and the Functions app (in-process).</summary>
public sealed record HttpAnswer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public static HttpAnswer NotFound { get; } = new(StatusCodes.Status404NotFound, new Dictionary<string, string>(), []);

    public string? ContentType => Header("Content-Type");

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();

    public static async Task<HttpAnswer> FromAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", value);
        }

        return new HttpAnswer((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
    }

    public static Task<HttpAnswer> FromAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in response.Headers)
        {
            headers[name] = value.ToString();
        }

        return Task.FromResult(new HttpAnswer(response.StatusCode, headers, ((MemoryStream)response.Body).ToArray()));
    }
}
