using FunctionsJobs.Host.Functions;

namespace FunctionsJobs.Functions.Tests;

/// <summary>
/// What differs between the functions of the built Functions app, the Host's catalog and
/// local.settings.sample.json. Each runtime may have a function the other cannot have; those are
/// listed here with the reason, and an entry that no longer matches is itself a difference.
/// <paramref name="leftOutOfBuild"/> names functions this build of the app was made without
/// (the Service Bus trigger where the feed lacks its package): their entries stand unchecked.
/// </summary>
internal static class FunctionParity
{
    public static readonly IReadOnlyDictionary<string, string> OnlyInFunctions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ThumbnailBlobScan"] = "the Host's ThumbnailBlobTrigger scan as a timer, for func start with Azurite (no Event Grid); disabled in Azure",
        ["ProcessOrderFromServiceBus"] = "the Service Bus transport is for Azure; the Host runs the workflow from the storage queue (ProcessOrder)",
    };

    public static readonly IReadOnlyDictionary<string, string> OnlyOnHost = new Dictionary<string, string>(StringComparer.Ordinal);

    public static IReadOnlyList<string> Differences(
        IReadOnlyList<DeclaredFunction> functions, IReadOnlyList<FunctionInfo> host, IReadOnlySet<string> sampleSettings, IReadOnlySet<string>? leftOutOfBuild = null)
    {
        var differences = new List<string>();
        differences.AddRange(functions.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: declared {g.Count()} times in the Functions app ({string.Join(", ", g.Select(f => f.Location))})"));

        var declared = functions.DistinctBy(f => f.Name).ToDictionary(f => f.Name, StringComparer.Ordinal);
        var hosted = host.DistinctBy(f => f.Name).ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var function in declared.Values.Where(f => !hosted.ContainsKey(f.Name) && !OnlyInFunctions.ContainsKey(f.Name)))
        {
            differences.Add($"{function.Name}: a {function.Trigger} in the Functions app ({function.Location}) that the Host does not register (HostJobs.cs)");
        }

        foreach (var function in hosted.Values.Where(f => !declared.ContainsKey(f.Name) && !OnlyOnHost.ContainsKey(f.Name)))
        {
            differences.Add($"{function.Name}: a {function.Trigger} on the Host ({function.Source}) without a [Function] twin in src/FunctionsJobs.Functions");
        }

        differences.AddRange(OnlyInFunctions.Keys.Where(name => (!declared.ContainsKey(name) && leftOutOfBuild?.Contains(name) != true) || hosted.ContainsKey(name))
            .Select(name => $"{name}: listed as Functions-only, but it is {(declared.ContainsKey(name) ? "on the Host too" : "not in the Functions app")}"));
        differences.AddRange(OnlyOnHost.Keys.Where(name => !hosted.ContainsKey(name) || declared.ContainsKey(name))
            .Select(name => $"{name}: listed as Host-only, but it is {(hosted.ContainsKey(name) ? "in the Functions app too" : "not on the Host")}"));

        foreach (var (name, twin) in declared.Where(d => hosted.ContainsKey(d.Key)).Select(d => (d.Key, d.Value)))
        {
            var own = hosted[name];
            if (twin.Trigger != own.Trigger)
            {
                differences.Add($"{name}: {twin.Trigger} in the Functions app, {own.Trigger} on the Host");
            }
            else if (twin.Trigger == "httpTrigger")
            {
                if (twin.Source != own.Source)
                {
                    differences.Add($"{name}: '{twin.Source}' in the Functions app, '{own.Source}' on the Host");
                }

                if (twin.AuthLevel != own.AuthLevel)
                {
                    differences.Add($"{name}: authorization level {twin.AuthLevel} in the Functions app, {own.AuthLevel} on the Host");
                }
            }
            else if (!twin.Settings.Order(StringComparer.Ordinal).SequenceEqual(own.Settings.Select(Normalize).Order(StringComparer.Ordinal)))
            {
                differences.Add($"{name}: bound through [{string.Join(", ", twin.Settings)}] in the Functions app, [{string.Join(", ", own.Settings)}] on the Host");
            }
        }

        var sample = sampleSettings.Select(Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var function in functions)
        {
            differences.AddRange(function.BindingSettings.Where(s => !sample.Contains(Normalize(s)))
                .Select(s => $"{function.Name}: %{s}% is not in local.settings.sample.json"));

            // An identity-based connection is a group of settings under its name (Name__fullyQualifiedNamespace).
            differences.AddRange(function.Connections.Where(c => !sample.Contains(c) && !sample.Any(s => s.StartsWith(c + "__", StringComparison.OrdinalIgnoreCase)))
                .Select(c => $"{function.Name}: connection {c} is not in local.settings.sample.json"));
        }

        foreach (var function in host)
        {
            differences.AddRange(function.Settings.Where(s => !sample.Contains(Normalize(s)))
                .Select(s => $"{function.Name}: the Host's setting {s} is not in local.settings.sample.json"));
        }

        return differences;
    }

    /// <summary>Settings are one name whether written <c>A:B</c> (configuration) or <c>A__B</c> (app settings).</summary>
    private static string Normalize(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);
}
