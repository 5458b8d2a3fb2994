using System.Collections.Concurrent;
using System.Text.Json;
using FunctionsJobs.Testing;

namespace FunctionsJobs.InfraTests;

/// <summary>
/// infra/main.bicep compiled with one plan's .bicepparam and evaluated by <c>bicep snapshot</c>:
/// the resources a deployment would send to Azure Resource Manager, with every value that does
/// not depend on a deployed resource already computed (names, SKUs, flags, literal settings).
/// Values known only after deployment stay as ARM expressions (<c>[reference(...)]</c>).
/// </summary>
internal sealed class PlanSnapshot
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000cafe";
    public const string ResourceGroup = "rg-functionsjobs-test";

    private static readonly ConcurrentDictionary<(string Plan, bool Subscription), Lazy<Task<PlanSnapshot>>> Cache = new();

    private readonly JsonElement _resources;

    private PlanSnapshot(string plan, JsonElement snapshot)
    {
        Plan = plan;
        _resources = snapshot.GetProperty("predictedResources");
    }

    public string Plan { get; }

    public static string InfraDirectory { get; } = Path.Combine(RepositoryPaths.Root, "infra");

    /// <summary>The snapshot for <paramref name="plan"/>, made once per test run.</summary>
    /// <param name="enableBlobEventSubscription">Step two of the deployment (ENABLE_BLOB_EVENT_SUBSCRIPTION=true).</param>
    public static Task<PlanSnapshot> ForAsync(string plan, bool enableBlobEventSubscription = false) =>
        Cache.GetOrAdd((plan, enableBlobEventSubscription), key => new Lazy<Task<PlanSnapshot>>(() => CreateAsync(key.Plan, key.Subscription))).Value;

    public IEnumerable<JsonElement> Resources(string type) =>
        _resources.EnumerateArray().Where(resource => string.Equals(resource.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));

    public JsonElement Single(string type)
    {
        var matches = Resources(type).ToList();
        Assert.True(matches.Count == 1, $"plan '{Plan}': expected one {type}, found {matches.Count}");
        return matches[0];
    }

    /// <summary>The function app's settings: the properties of its <c>config/appsettings</c> resource.</summary>
    public IReadOnlyDictionary<string, string> AppSettings() =>
        Single("Microsoft.Web/sites/config").GetProperty("properties").EnumerateObject()
            .ToDictionary(setting => setting.Name, setting => setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString()! : setting.Value.GetRawText());

    private static async Task<PlanSnapshot> CreateAsync(string plan, bool enableBlobEventSubscription)
    {
        // bicep snapshot writes <name>.snapshot.json beside the parameter file: work on a copy of
        // infra/ so the repository stays clean and parallel runs do not meet.
        var work = Directory.CreateTempSubdirectory("functionsjobs-infra-");
        try
        {
            var infra = Path.Combine(work.FullName, "infra");
            CopyDirectory(InfraDirectory, infra);
            var environment = enableBlobEventSubscription
                ? new Dictionary<string, string> { ["ENABLE_BLOB_EVENT_SUBSCRIPTION"] = "true" }
                : null;
            var result = await BicepCli.RunAsync(
                infra, environment, "snapshot", $"main.{plan}.bicepparam", "--mode", "overwrite",
                "--subscription-id", SubscriptionId, "--resource-group", ResourceGroup, "--location", "westeurope",
                "--tenant-id", "00000000-0000-0000-0000-0000000000aa").ConfigureAwait(false);
            if (result.ExitCode != 0 || !string.IsNullOrWhiteSpace(result.StandardError))
            {
                throw new InvalidOperationException(result.ToString());
            }

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(infra, $"main.{plan}.snapshot.json")).ConfigureAwait(false));
            return new PlanSnapshot(plan, document.RootElement.Clone());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }
}
