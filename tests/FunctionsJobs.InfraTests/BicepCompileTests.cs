using System.Text.Json;
using FunctionsJobs.Testing;
using Xunit.Abstractions;

namespace FunctionsJobs.InfraTests;

/// <summary>The Bicep compiles and lints with no diagnostic at all: a warning fails the build here.</summary>
public sealed class BicepCompileTests(ITestOutputHelper output)
{
    [BicepTheory]
    [InlineData("flex")]
    [InlineData("consumption")]
    [InlineData("premium")]
    public async Task Parameter_file_builds_without_a_warning(string plan)
    {
        var result = await BicepCli.RunAsync(PlanSnapshot.InfraDirectory, null, "build-params", $"main.{plan}.bicepparam", "--stdout");
        output.WriteLine(result.Summary());

        Assert.True(result.ExitCode == 0, result.ToString());
        // Diagnostics (warnings included) go to stderr; stdout is the compiled JSON alone.
        Assert.True(string.IsNullOrWhiteSpace(result.StandardError), $"bicep reported diagnostics for main.{plan}.bicepparam:\n{result.StandardError}");

        using var compiled = JsonDocument.Parse(result.StandardOutput);
        using var parameters = JsonDocument.Parse(compiled.RootElement.GetProperty("parametersJson").GetString()!);
        Assert.Equal(plan, parameters.RootElement.GetProperty("parameters").GetProperty("plan").GetProperty("value").GetString());
        using var template = JsonDocument.Parse(compiled.RootElement.GetProperty("templateJson").GetString()!);
        Assert.True(template.RootElement.GetProperty("resources").GetArrayLength() > 0, "the compiled template declares no resources");
    }

    [BicepTheory]
    [InlineData("infra/main.bicep")]
    [InlineData("infra/modules/blob-event-subscription.bicep")]
    [InlineData("deploy/keda/containerapp.bicep")]
    [InlineData("deploy/keda/blob-events.bicep")]
    public async Task Lint_reports_nothing(string file)
    {
        var result = await BicepCli.RunAsync(RepositoryPaths.Root, null, "lint", file);
        output.WriteLine(result.Summary());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(
            string.IsNullOrWhiteSpace(result.StandardOutput) && string.IsNullOrWhiteSpace(result.StandardError),
            $"bicep lint {file} reported:\n{result.StandardError}{result.StandardOutput}");
    }
}
