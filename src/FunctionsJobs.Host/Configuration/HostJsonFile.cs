using System.Text.Json;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.Host.Configuration;

/// <summary>
/// Loads <c>host.json</c> into configuration under <c>AzureFunctionsJobHost</c>, the prefix the
/// Functions host uses, so an app setting such as
/// <c>AzureFunctionsJobHost__extensions__queues__batchSize</c> overrides the file on both runtimes.
/// </summary>
internal static class HostJsonFile
{
    public const string FileName = "host.json";
    public const string Prefix = "AzureFunctionsJobHost";

    /// <summary>Finds host.json in the content root, else beside the binaries.</summary>
    public static string? Locate(string contentRoot)
    {
        foreach (var directory in new[] { contentRoot, AppContext.BaseDirectory })
        {
            var path = Path.Combine(directory, FileName);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    public static IReadOnlyDictionary<string, string?> Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Flatten(document.RootElement, Prefix, values);
            return values;
        }
        catch (JsonException ex)
        {
            throw new InvalidSettingException(path, $"is not valid JSON (line {ex.LineNumber + 1})", ex);
        }
    }

    private static void Flatten(JsonElement element, string key, Dictionary<string, string?> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, $"{key}:{property.Name}", values);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{key}:{index++}", values);
                }

                break;
            case JsonValueKind.String:
                values[key] = element.GetString();
                break;
            case JsonValueKind.Null:
                values[key] = null;
                break;
            default:
                values[key] = element.GetRawText();
                break;
        }
    }
}
