using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Functions.Thumbnails;
using FunctionsJobs.IntegrationTests.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Functions;

/// <summary>
/// The Functions app's <c>ThumbnailBlobScan</c> timer, constructed in-process with the Core services
/// and invoked as the timer would: a blob written straight into the container is announced once, and
/// the Host's queue function (the twin of <c>ThumbnailBlobEvents</c>) makes it Done.
/// </summary>
public sealed class ThumbnailBlobScanFunctionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Each_timer_invocation_announces_what_is_new_and_nothing_twice()
    {
        // The Host's own scan is off (harness default): only the function announces.
        await using var harness = await ThumbnailHarness.StartAsync(azurite.ConnectionString);
        var function = new ThumbnailBlobScan(harness.Host.Services.GetRequiredService<ThumbnailBlobScanner>());
        await harness.PutBlobAsync("timer-scan.jpg", TestImages.Jpeg(64, 48));

        await function.RunAsync(new TimerInfo(), CancellationToken.None);
        await function.RunAsync(new TimerInfo(), CancellationToken.None);
        await harness.WaitForOutcomeAsync("timer-scan", ") done:");

        Assert.Equal(1, BlobScanHarness.Announced(harness.Host));
        Assert.Equal(1, harness.DoneCount("timer-scan"));
        await harness.AssertQueueSettledAsync();
    }
}
