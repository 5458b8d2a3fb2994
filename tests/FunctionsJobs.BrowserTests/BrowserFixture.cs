using FunctionsJobs.Testing;
using Microsoft.Playwright;

namespace FunctionsJobs.BrowserTests;

/// <summary>
/// One Azurite, one maildev and one headless Chromium per test class. The browser is Debian's
/// chromium (Playwright's own download is not used): <c>FUNCTIONSJOBS_CHROMIUM</c> or /usr/bin/chromium.
/// Playwright gives every launch a fresh, empty profile of its own.
/// </summary>
public sealed class BrowserFixture : StorageAndMail, IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    public static string ChromiumPath => Environment.GetEnvironmentVariable("FUNCTIONSJOBS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    async Task IAsyncLifetime.InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"no browser at {ChromiumPath}: install Debian's chromium (apt-get install -y chromium), as .ci/run does");
        }

        await InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            ChromiumSandbox = false,

            // This machine has no network but loopback: without these Chromium keeps trying to reach
            // Google's services at start and in the background.
            Args =
            [
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await DisposeAsync();
    }
}
