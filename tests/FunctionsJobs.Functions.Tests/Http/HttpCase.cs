using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FunctionsJobs.Functions.Tests.Http;

/// <summary>
/// One request put to both runtimes and what each must answer: the status, the problem title for
/// errors, and whatever <see cref="Check"/> adds. The two answers must also have one shape (<see cref="Shape"/>).
/// </summary>
/// <param name="Request">Makes the request afresh for each runtime (a body can be sent once).</param>
public sealed partial record HttpCase(string Name, Func<BothRuntimes, Task<HttpRequestMessage>> Request, int Status, string? ProblemTitle = null, Action<HttpAnswer>? Check = null)
{
    public override string ToString() => Name;

    public void Verify(HttpAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        Assert.True(answer.Status == Status, $"{Name}: {answer.Status}, not {Status}: {Encoding.UTF8.GetString(answer.Body)}");
        if (ProblemTitle is not null)
        {
            Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
            var problem = answer.Json();
            Assert.Equal(ProblemTitle, problem.GetProperty("title").GetString());
            Assert.Equal(Status, problem.GetProperty("status").GetInt32());
        }

        Check?.Invoke(answer);
    }

    /// <summary>
    /// What must be equal between the runtimes: status, media type, the headers a client acts on,
    /// a problem's title, detail and field errors, and every JSON property path of a body.
    /// </summary>
    public static string Shape(HttpAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var shape = new StringBuilder();
        shape.Append(answer.Status).Append(' ').AppendLine(answer.ContentType?.Split(';')[0]);
        foreach (var header in new[] { "Location", "Retry-After", "Cache-Control", "ETag", "Preference-Applied" })
        {
            shape.Append(header).Append(": ").AppendLine(answer.Header(header) is null ? "-" : "present");
        }

        if (answer.ContentType?.Contains("json", StringComparison.Ordinal) == true)
        {
            var json = answer.Json();
            if (answer.ContentType.StartsWith("application/problem+json", StringComparison.Ordinal))
            {
                // Each runtime is asked with data of its own, e.g. a fresh order per request.
                var detail = OrderIds().Replace(json.GetProperty("detail").GetString()!, "{orderId}");
                shape.AppendLine(json.GetProperty("title").GetString()).AppendLine(detail);
                if (json.TryGetProperty("errors", out var errors))
                {
                    shape.AppendLine(string.Join(",", errors.EnumerateObject().Select(e => e.Name)));
                }
            }
            else
            {
                AppendPaths(shape, json, "$");
            }
        }

        return shape.ToString();
    }

    [GeneratedRegex("[0-9]{8}-[0-9a-f]{20}")]
    private static partial Regex OrderIds();

    private static void AppendPaths(StringBuilder shape, JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    shape.AppendLine($"{path}.{property.Name}");
                    AppendPaths(shape, property.Value, $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray().Take(1))
                {
                    AppendPaths(shape, item, $"{path}[]");
                }

                break;
        }
    }
}
