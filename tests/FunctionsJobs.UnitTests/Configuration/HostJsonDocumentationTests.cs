using System.Text.Json;
using FunctionsJobs.Testing;

namespace FunctionsJobs.UnitTests.Configuration;

/// <summary>host.json is set deliberately: docs/functions.md explains every setting in it.</summary>
public sealed class HostJsonDocumentationTests
{
    [Fact]
    public void Every_host_json_setting_is_explained_in_docs_functions_md()
    {
        var documented = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "functions.md"));
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));

        var undocumented = Leaves(hostJson.RootElement, [])
            .Where(path => !IsDocumented(path, documented))
            .Select(path => string.Join('.', path))
            .ToList();

        Assert.True(undocumented.Count == 0, $"host.json settings missing from the host.json table of docs/functions.md: {string.Join(", ", undocumented)}");
    }

    [Fact]
    public void A_setting_is_documented_by_its_own_row_or_its_parent_s()
    {
        const string docs = "| `extensions.queues` | … |\n| `retry` | … |";

        Assert.True(IsDocumented(["extensions", "queues", "batchSize"], docs));
        Assert.True(IsDocumented(["retry"], docs));
        Assert.False(IsDocumented(["extensions", "serviceBus", "prefetchCount"], docs));
        Assert.False(IsDocumented(["extensions", "queues", "batchSize", "extra"], docs));
    }

    /// <summary>A row names the setting itself, or the object holding it when its members go together (log categories, retry options).</summary>
    /// <remarks>Log categories hold dots themselves (<c>Azure.Core</c>), so paths are lists of names.</remarks>
    private static bool IsDocumented(IReadOnlyList<string> path, string docs) =>
        docs.Contains($"| `{string.Join('.', path)}` |", StringComparison.Ordinal)
        || (path.Count > 1 && docs.Contains($"| `{string.Join('.', path.Take(path.Count - 1))}` |", StringComparison.Ordinal));

    private static IEnumerable<IReadOnlyList<string>> Leaves(JsonElement element, IReadOnlyList<string> path) => element.ValueKind == JsonValueKind.Object
        ? element.EnumerateObject().SelectMany(p => Leaves(p.Value, [.. path, p.Name]))
        : [path];
}
