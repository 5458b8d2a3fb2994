using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsJobs.Testing;

namespace FunctionsJobs.Functions.Tests;

/// <summary>A function of the built Functions app as its <c>functions.metadata</c> declares it to the host.</summary>
/// <param name="Source">HTTP: <c>GET /api/route</c>; other triggers: the queue, path or schedule expression.</param>
/// <param name="Settings">The <c>%Setting%</c> names of the trigger binding.</param>
/// <param name="Connections">The <c>connection</c> names of every binding.</param>
/// <param name="BindingSettings">The <c>%Setting%</c> names of every binding, the trigger's included.</param>
/// <param name="Location">The entry point, for messages.</param>
internal sealed record DeclaredFunction(
    string Name, string Trigger, string Source, IReadOnlyList<string> Settings, string? AuthLevel,
    IReadOnlyList<string> Connections, IReadOnlyList<string> BindingSettings, string Location);

/// <summary>
/// Reads <c>functions.metadata</c>, which the Worker SDK generates from the <c>[Function]</c> methods
/// while it builds the app and which the Functions host indexes: what the parity test compares is what Azure runs.
/// </summary>
internal static partial class FunctionsMetadata
{
    /// <summary>The file the build of src/FunctionsJobs.Functions wrote, in the configuration these tests were built in.</summary>
    public static string BuiltFile
    {
        get
        {
            // tests/X/bin/{Configuration}/{tfm}/ — the app was built beside it in the same configuration.
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var file = Path.Combine(RepositoryPaths.Root, "src", "FunctionsJobs.Functions", "bin", output.Parent!.Name, output.Name, "functions.metadata");
            return File.Exists(file) ? file : throw new FileNotFoundException($"{file} is missing: build src/FunctionsJobs.Functions first");
        }
    }

    public static IReadOnlyList<DeclaredFunction> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var functions = new List<DeclaredFunction>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            var location = function.TryGetProperty("entryPoint", out var entry) ? entry.GetString()! : name;
            var bindings = function.GetProperty("bindings").EnumerateArray().ToList();
            var triggers = bindings.Where(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).ToList();
            if (triggers.Count != 1)
            {
                throw new InvalidOperationException($"{location}: {triggers.Count} trigger bindings, not one");
            }

            var trigger = triggers[0];
            var type = trigger.GetProperty("type").GetString()!;
            var source = type == "httpTrigger"
                ? $"{string.Join(",", trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()))} /api/{trigger.GetProperty("route").GetString()}"
                : (String(trigger, "queueName") ?? String(trigger, "path") ?? String(trigger, "schedule") ?? String(trigger, "topicName") ?? string.Empty);
            functions.Add(new DeclaredFunction(
                name,
                type,
                source,
                SettingsOf(trigger),
                type == "httpTrigger" ? String(trigger, "authLevel")!.ToLowerInvariant() : null,
                [.. bindings.Select(b => String(b, "connection")).OfType<string>().Distinct(StringComparer.Ordinal)],
                [.. bindings.SelectMany(SettingsOf).Distinct(StringComparer.Ordinal)],
                location));
        }

        return functions;
    }

    private static string? String(JsonElement binding, string property) =>
        binding.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The <c>%Name%</c> expressions among a binding's string values.</summary>
    private static List<string> SettingsOf(JsonElement binding) =>
        [.. binding.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.String)
            .SelectMany(p => Setting().Matches(p.Value.GetString()!).Select(m => m.Groups[1].Value))];

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Setting();
}
