using System.Text.Json;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.Host.Configuration;

/// <summary>
/// Reads the <c>Values</c> of <c>local.settings.json</c>, the file <c>func start</c> reads, so one
/// file configures both runtimes. It is the lowest-precedence source: appsettings, environment
/// variables and the command line override it, as real environment variables do under Core Tools.
/// </summary>
internal static class LocalSettingsFile
{
    public const string FileName = "local.settings.json";

    public static IReadOnlyDictionary<string, string?> Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return new Dictionary<string, string?>();
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSettingException(path, "must hold a JSON object");
            }

            if (!document.RootElement.TryGetProperty("Values", out var section))
            {
                return values;
            }

            if (section.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSettingException($"{path}: Values", "must be a JSON object of strings");
            }

            foreach (var property in section.EnumerateObject())
            {
                // Values are environment variables to Core Tools, where '__' is the section separator.
                var key = property.Name.Replace("__", ":", StringComparison.Ordinal);
                values[key] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => throw new InvalidSettingException($"{path}: Values.{property.Name}", "must be a string, number or boolean"),
                };
            }

            return values;
        }
        catch (JsonException ex)
        {
            throw new InvalidSettingException(path, $"is not valid JSON (line {ex.LineNumber + 1}): {ex.Message.Split('.')[0]}", ex);
        }
    }
}
