namespace FunctionsJobs.Testing;

public enum StorageService
{
    Blob,
    Queue,
    Table,
}

/// <summary>What the proxy does to a request that a fault rule matched.</summary>
public abstract record StorageFault
{
    /// <summary>Holds the request for <paramref name="delay"/> (or until the client gives up), then forwards it.</summary>
    public static StorageFault Delay(TimeSpan delay) => new DelayFault(delay);

    /// <summary>Never forwards the request and never answers: the client has to give up on it.</summary>
    public static StorageFault Hang { get; } = new HangFault();

    /// <summary>Answers with an Azure Storage error without forwarding (the storage service never sees the request).</summary>
    public static StorageFault Fail(int status, string errorCode) => new FailFault(status, errorCode);

    /// <summary>Forwards the request, so storage carries it out, but answers the client with an error: a lost response.</summary>
    public static StorageFault LoseResponse(int status = 500, string errorCode = "InternalError") => new LoseResponseFault(status, errorCode);

    internal sealed record DelayFault(TimeSpan Duration) : StorageFault;

    internal sealed record HangFault : StorageFault;

    internal sealed record FailFault(int Status, string ErrorCode) : StorageFault;

    internal sealed record LoseResponseFault(int Status, string ErrorCode) : StorageFault;
}

/// <summary>A request as the proxy saw it: what a fault rule or a test matches on.</summary>
/// <param name="Path">The path, starting with the account: <c>/devstoreaccount1/queue/messages/id</c>.</param>
/// <param name="Query">The query string with its <c>?</c>, as sent.</param>
public sealed record ProxiedRequest(StorageService Service, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers)
{
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The path segments after the account name: container and blob, queue and <c>messages</c>, table.</summary>
    public IReadOnlyList<string> Resource => [.. Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1)];

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public bool HasQuery(string name, string? value = null)
    {
        foreach (var pair in Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            if (string.Equals(Uri.UnescapeDataString(parts[0]), name, StringComparison.OrdinalIgnoreCase)
                && (value is null || (parts.Length == 2 && string.Equals(Uri.UnescapeDataString(parts[1]), value, StringComparison.OrdinalIgnoreCase))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A blob lease renewal (what keeps a timer lock).</summary>
    public bool IsLeaseRenewal => Service == StorageService.Blob && Method == "PUT" && HasQuery("comp", "lease")
        && string.Equals(Header("x-ms-lease-action"), "renew", StringComparison.OrdinalIgnoreCase);

    /// <summary>A message of <paramref name="queue"/> sent (enqueued).</summary>
    public bool IsSendTo(string queue) => Service == StorageService.Queue && Method == "POST" && IsMessages(queue) && Resource.Count == 2;

    /// <summary>A received message's visibility changed (a lease renewed, or a message released).</summary>
    public bool IsUpdateIn(string queue) => Service == StorageService.Queue && Method == "PUT" && IsMessages(queue) && Resource.Count == 3 && HasQuery("popreceipt");

    /// <summary>A received message deleted.</summary>
    public bool IsDeleteIn(string queue) => Service == StorageService.Queue && Method == "DELETE" && IsMessages(queue) && Resource.Count == 3 && HasQuery("popreceipt");

    private bool IsMessages(string queue) =>
        Resource.Count >= 2 && Resource[0] == queue && Resource[1] == "messages";
}
