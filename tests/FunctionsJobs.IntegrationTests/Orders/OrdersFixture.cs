using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>One in-memory Azurite and one maildev per test class; each test has tables and a queue of its own.</summary>
public sealed class OrdersFixture : IAsyncLifetime
{
    private AzuriteServer? _azurite;
    private MailDevServer? _mail;

    public AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("Azurite is not started");

    public MailDevServer Mail => _mail ?? throw new InvalidOperationException("maildev is not started");

    public async Task InitializeAsync()
    {
        var azurite = AzuriteServer.StartAsync();
        var mail = MailDevServer.StartAsync();
        _azurite = await azurite;
        _mail = await mail;
    }

    public async Task DisposeAsync()
    {
        if (_mail is not null)
        {
            await _mail.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
