using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FunctionsJobs.BrowserTests;

/// <summary>The dashboard as an operator uses it: in headless Chromium against a real Host, Azurite and maildev.</summary>
public sealed class DashboardPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly LocatorAssertionsToContainTextOptions Eventually = new() { Timeout = 30_000 };

    [Fact]
    public async Task The_page_shows_a_new_order_and_image_and_updates_by_itself()
    {
        await using var site = await DashboardSite.StartAsync(fixture);
        var page = await site.OpenAsync();

        // The key went into an http-only, same-site cookie, and out of the address bar.
        Assert.Equal($"{site.BaseUrl}/dashboard", page.Url);
        var cookie = Assert.Single(await site.Context.CookiesAsync());
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.NotEqual(TestHost.MasterKey, cookie.Value);
        await Expect(page.Locator("#orders")).ToContainTextAsync("No orders yet", Eventually);
        await page.EvaluateAsync("() => { window.loadedOnce = true; }");

        var orderId = await site.PlaceOrderAsync("ada@example.com");
        var imageId = await site.UploadAsync(TestImages.Jpeg(640, 480));

        var order = page.Locator("#orders li.order", new PageLocatorOptions { HasText = orderId });
        await Expect(order).ToContainTextAsync("Completed", Eventually);
        await order.Locator("summary").ClickAsync();
        await Expect(order.Locator("ol.steps")).ToContainTextAsync("SendConfirmation");
        var image = page.Locator("#images figure", new PageLocatorOptions { HasText = imageId });
        await Expect(image).ToContainTextAsync("Done", Eventually);
        var thumbnail = image.GetByRole(AriaRole.Img, new LocatorGetByRoleOptions { Name = $"Thumbnail of image {imageId}" });
        await Expect(thumbnail).ToBeVisibleAsync();
        await page.WaitForFunctionAsync(
            "id => [...document.querySelectorAll('#images img')].some(img => img.alt.endsWith(id) && img.complete && img.naturalWidth > 0)", imageId);
        await Expect(page.Locator("#throughput")).ToContainTextAsync("ProcessOrder", Eventually);
        await Expect(page.Locator("#queues")).ToContainTextAsync($"orders-{site.Suffix}", Eventually);

        // All of it arrived by polling: the page was never reloaded.
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"));
    }

    [Fact]
    public async Task The_replay_button_moves_poison_messages_back_to_their_queue()
    {
        await using var site = await DashboardSite.StartAsync(fixture);
        var name = $"idle-{site.Suffix}";
        var queue = site.Storage.RawQueues.GetQueueClient(name);
        var poison = site.Storage.RawQueues.GetQueueClient(name + "-poison");
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync("a message nobody could handle");
        var page = await site.OpenAsync();

        var replay = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = $"Replay the poison messages of {name}" });
        await Expect(replay).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        await replay.ClickAsync();

        await Expect(page.Locator("#status")).ToContainTextAsync($"Replayed 1 message(s) from {name}-poison to {name}", Eventually);
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        await Expect(replay).ToBeHiddenAsync(new LocatorAssertionsToBeHiddenOptions { Timeout = 30_000 });
    }

    [Fact]
    public async Task Run_now_from_the_keyboard_starts_the_job_and_its_run_appears()
    {
        await using var site = await DashboardSite.StartAsync(fixture);
        var page = await site.OpenAsync();
        var runNow = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Run OrderSupervisor now" });
        await Expect(runNow).ToBeVisibleAsync();

        // Tab to the button as a keyboard user would (re-rendering keeps the focus), then Enter.
        for (var i = 0; i < 40 && await page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('aria-label')") != "Run OrderSupervisor now"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#status")).ToContainTextAsync("OrderSupervisor started", Eventually);
        var row = page.Locator("#jobs tr", new PageLocatorOptions { HasText = "OrderSupervisor" });
        await Expect(row).ToContainTextAsync("Succeeded", Eventually);
        var run = Assert.Single(await site.Host.Services.GetRequiredService<JobRunHistory>().ListAsync("OrderSupervisor", 5, CancellationToken.None));
        Assert.Equal(JobTrigger.Manual, run.Trigger);
    }

    [Fact]
    public async Task Without_the_master_key_the_page_is_401()
    {
        await using var site = await DashboardSite.StartAsync(fixture);
        var page = await site.Context.NewPageAsync();

        Assert.Equal(401, (await page.GotoAsync("/dashboard"))!.Status);
        Assert.Equal(401, (await page.GotoAsync($"/dashboard?code={TestHost.FunctionKey}"))!.Status);
        Assert.Equal(401, (await page.GotoAsync($"/dashboard?key={TestHost.MasterKey}"))!.Status);
        Assert.Empty(await site.Context.CookiesAsync());
        Assert.Equal(0, await page.Locator("#app").CountAsync());
    }

    [Fact]
    public async Task Markup_in_an_order_e_mail_or_an_image_record_is_shown_as_text()
    {
        await using var site = await DashboardSite.StartAsync(fixture);
        const string email = "\"<img/src=x/onerror=window.injected=1>\"@example.com";
        var orderId = await site.PlaceOrderAsync(email);
        var store = site.Host.Services.GetRequiredService<ThumbnailStatusStore>();
        var imageId = "markup" + site.Suffix;
        Assert.NotNull(await store.TryWriteAsync(
            new ImageRecord
            {
                Id = imageId,
                Status = ImageStatus.Failed,
                Reason = "<img src=x onerror=\"window.injected=2\">",
                SourceBlob = "<b>bold</b>.jpg",
                UpdatedAt = DateTimeOffset.UtcNow,
            },
            CancellationToken.None));

        var page = await site.OpenAsync();

        await Expect(page.Locator("#orders")).ToContainTextAsync(orderId, Eventually);
        await Expect(page.Locator("#orders")).ToContainTextAsync("<img/src=x/onerror=window.injected=1>");
        await Expect(page.Locator("#images")).ToContainTextAsync("<b>bold</b>.jpg", Eventually);
        await Expect(page.Locator("#images")).ToContainTextAsync("<img src=x onerror=\"window.injected=2\">");
        Assert.Equal(0, await page.Locator("#orders img, #images b, #images .error img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.injected === undefined"));
    }
}
