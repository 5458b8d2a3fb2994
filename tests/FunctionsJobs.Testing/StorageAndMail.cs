namespace FunctionsJobs.Testing;

/// <summary>
/// One in-memory Azurite and one maildev, started together: the base of a test class fixture
/// (<c>class MyFixture : StorageAndMail, IAsyncLifetime { }</c>).
/// </summary>
public class StorageAndMail
{
    private AzuriteServer? _azurite;
    private MailDevServer? _mail;

    public AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("Azurite is not started");

    public MailDevServer Mail => _mail ?? throw new InvalidOperationException("maildev is not started");

    public async Task InitializeAsync()
    {
        var azurite = AzuriteServer.StartAsync();
        var mail = MailDevServer.StartAsync();
        _azurite = await azurite.ConfigureAwait(false);
        _mail = await mail.ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_mail is not null)
        {
            await _mail.DisposeAsync().ConfigureAwait(false);
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
        }
    }
}
