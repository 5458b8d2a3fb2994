using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FunctionsJobs.BrowserTests;

/// <summary>
/// A Host with queues, tables and containers of this test's own (so "the latest orders" are this
/// test's), and a browser page on its dashboard.
/// </summary>
internal sealed class DashboardSite : IAsyncDisposable
{
    public const string Sku = "BEANS";

    private DashboardSite(TestHost host, IBrowserContext context, string suffix)
    {
        Host = host;
        Context = context;
        Suffix = suffix;
    }

    public TestHost Host { get; }

    public IBrowserContext Context { get; }

    public string Suffix { get; }

    public string BaseUrl => Host.Http.BaseAddress!.ToString().TrimEnd('/');

    public StorageAccount Storage => Host.Services.GetRequiredService<StorageAccount>();

    public static async Task<DashboardSite> StartAsync(BrowserFixture fixture)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>(fixture.Mail.Settings)
        {
            [OrdersSettings.QueueName] = $"orders-{suffix}",
            [OrdersSettings.OrdersTable] = $"Orders{suffix}",
            [OrdersSettings.InventoryTable] = $"Inventory{suffix}",
            [OrdersSettings.PaymentsTable] = $"Payments{suffix}",
            [OrdersSettings.OutboxTable] = $"Outbox{suffix}",
            [ThumbnailSettings.ImagesContainerSetting] = $"images-{suffix}",
            [ThumbnailSettings.ThumbnailsContainerSetting] = $"thumbnails-{suffix}",
            [ThumbnailSettings.StatusTableSetting] = $"ThumbnailStatus{suffix}",
            [ThumbnailSettings.EventsQueueSetting] = $"thumbnail-events-{suffix}",
            [SchedulingSettings.JobRunsTableSetting] = $"JobRuns{suffix}",
            [SchedulingSettings.CheckpointsContainerSetting] = $"checkpoints-{suffix}",
            [RecentItems.TableSetting] = $"Recent{suffix}",

            // Once a year, not every minute: a run the page starts must be the only run in its history.
            [OrderSupervisorSettings.ScheduleSetting] = "0 0 0 1 1 *",
        };
        var host = await TestHost.StartAsync(fixture.Azurite.ConnectionString, settings);
        Assert.True(await host.Services.GetRequiredService<InventoryStore>().TryAddItemAsync(new CatalogItem(Sku, "Beans", 1250, 1000), CancellationToken.None));
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Http.BaseAddress!.ToString() });
        return new DashboardSite(host, context, suffix);
    }

    /// <summary>Opens the dashboard with the master key as <c>code</c>, as an operator's bookmark would.</summary>
    public async Task<IPage> OpenAsync()
    {
        var page = await Context.NewPageAsync();
        var response = await page.GotoAsync($"/dashboard?code={TestHost.MasterKey}");
        Assert.Equal(200, response!.Status);
        await page.Locator("#updated").Filter(new LocatorFilterOptions { HasText = "Updated" }).WaitForAsync();
        return page;
    }

    public async Task<string> PlaceOrderAsync(string email, string token = SandboxPaymentGateway.Visa)
    {
        using var request = Host.Request(HttpMethod.Post, "/api/orders", TestHost.FunctionKey);
        request.Content = new StringContent(
            JsonSerializer.Serialize(new { customerEmail = email, items = new[] { new { sku = Sku, quantity = 2 } }, paymentToken = token }), Encoding.UTF8, "application/json");
        using var response = await Host.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task<string> UploadAsync(byte[] jpeg)
    {
        using var request = Host.Request(HttpMethod.Post, "/api/images", TestHost.FunctionKey);
        request.Content = new ByteArrayContent(jpeg);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        using var response = await Host.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Host.DisposeAsync();
    }
}
