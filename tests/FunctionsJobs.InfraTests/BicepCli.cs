using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FunctionsJobs.InfraTests;

/// <summary>
/// The bicep CLI restored from the Azure.Bicep.CommandLine.linux-x64 package (its path is baked
/// into this assembly by the project file). It runs only on linux-x64; elsewhere every test that
/// needs it is skipped with <see cref="UnavailableReason"/>.
/// </summary>
internal static class BicepCli
{
    /// <summary>
    /// Variables the .bicepparam files read with readEnvironmentVariable. They are removed from
    /// every run, so an azd environment on the machine cannot change what the tests see.
    /// </summary>
    private static readonly string[] ParameterVariables = ["AZURE_ENV_NAME", "AZURE_PRINCIPAL_ID", "ENABLE_BLOB_EVENT_SUBSCRIPTION"];

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string PackagedPath { get; } = typeof(BicepCli).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "BicepCliPath").Value ?? string.Empty;

    /// <summary>Null when the CLI can run here; otherwise why the tests are skipped.</summary>
    public static string? UnavailableReason { get; } = FindUnavailableReason();

    private static readonly Lazy<string> Executable = new(PrepareExecutable);

    public static async Task<BicepResult> RunAsync(
        string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable.Value)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in ParameterVariables)
        {
            start.Environment.Remove(variable);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}");
        }

        return new BicepResult(string.Join(' ', arguments), process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    private static string? FindUnavailableReason()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            return $"the bicep CLI these checks use comes from Azure.Bicep.CommandLine.linux-x64 and runs on linux-x64 only, not on {RuntimeInformation.RuntimeIdentifier}";
        }

        return File.Exists(PackagedPath)
            ? null
            : $"no bicep CLI at '{PackagedPath}'; restore tests/FunctionsJobs.InfraTests (package Azure.Bicep.CommandLine.linux-x64)";
    }

    /// <summary>
    /// The packaged binary, or a copy made executable when the NuGet cache kept no execute bit
    /// (the cache itself is left as it is).
    /// </summary>
    private static string PrepareExecutable()
    {
        if (OperatingSystem.IsWindows() || (File.GetUnixFileMode(PackagedPath) & UnixFileMode.UserExecute) != 0)
        {
            return PackagedPath;
        }

        var copy = Path.Combine(Directory.CreateTempSubdirectory("functionsjobs-bicep-").FullName, "bicep");
        File.Copy(PackagedPath, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return copy;
    }
}

/// <summary>What one bicep run printed.</summary>
internal sealed record BicepResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Command, exit code and diagnostics: the line a passing test logs.</summary>
    public string Summary() => $"bicep {Command} exited with {ExitCode}; diagnostics: {(string.IsNullOrWhiteSpace(StandardError) ? "none" : "\n" + StandardError)}";

    /// <summary>The run as a failure message: command, exit code and both outputs.</summary>
    public override string ToString()
    {
        const int MaxOutput = 4000;
        var output = StandardOutput.Length > MaxOutput ? StandardOutput[..MaxOutput] + " …" : StandardOutput;
        return $"bicep {Command} exited with {ExitCode}\n--- stderr ---\n{StandardError}\n--- stdout ---\n{output}";
    }
}

/// <summary>A fact that is skipped, with the reason, where the bicep CLI cannot run.</summary>
public sealed class BicepFactAttribute : FactAttribute
{
    public BicepFactAttribute() => Skip = BicepCli.UnavailableReason;
}

/// <summary>A theory that is skipped, with the reason, where the bicep CLI cannot run.</summary>
public sealed class BicepTheoryAttribute : TheoryAttribute
{
    public BicepTheoryAttribute() => Skip = BicepCli.UnavailableReason;
}
