using System.Collections.Concurrent;
using FunctionsJobs.Core.Orders;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>Keeps what would have been sent, so a test delivers the supervisor's messages itself (twice, racing).</summary>
public sealed class RecordingOrderDispatcher : IOrderDispatcher
{
    private readonly ConcurrentQueue<(OrderMessage Message, string MessageId)> _sent = new();

    public IReadOnlyList<(OrderMessage Message, string MessageId)> Sent => [.. _sent];

    public Task SendAsync(OrderMessage message, string messageId, CancellationToken cancellationToken)
    {
        _sent.Enqueue((message, messageId));
        return Task.CompletedTask;
    }

    /// <summary>What it keeps is no queue: nothing waits, so the supervisor decides by age alone.</summary>
    public Task<DateTimeOffset?> OldestWaitingAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);
}

/// <summary>
/// The sandbox gateway, except that the first charge of an order paid with <see cref="Hang"/> hangs
/// until its delivery is cancelled: a process dying in the middle of a delivery, as far as the
/// order record can tell. Later charges of such an order go through as <c>tok_visa</c>.
/// </summary>
public sealed class HangingPaymentGateway(SandboxPaymentGateway sandbox) : IPaymentGateway
{
    public const string Hang = "tok_hang_once";

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _entered = new();

    /// <summary>Completes when the order's first charge is hanging.</summary>
    public Task EnteredAsync(string orderId) => Signal(orderId).Task.WaitAsync(TimeSpan.FromSeconds(30));

    public async Task<PaymentResult> ChargeAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Token != Hang)
        {
            return await sandbox.ChargeAsync(request, cancellationToken);
        }

        if (Signal(request.IdempotencyKey).TrySetResult())
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await sandbox.ChargeAsync(request with { Token = SandboxPaymentGateway.Visa }, cancellationToken);
    }

    public Task<RefundResult> RefundAsync(string idempotencyKey, string reason, CancellationToken cancellationToken) =>
        sandbox.RefundAsync(idempotencyKey, reason, cancellationToken);

    private TaskCompletionSource Signal(string orderId) => _entered.GetOrAdd(orderId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>The sandbox gateway behind a gate: every charge waits until the test opens it, a handler slower than any threshold.</summary>
public sealed class HeldPaymentGateway(SandboxPaymentGateway sandbox) : IPaymentGateway
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    public async Task<PaymentResult> ChargeAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        await _open.Task.WaitAsync(cancellationToken);
        return await sandbox.ChargeAsync(request, cancellationToken);
    }

    public Task<RefundResult> RefundAsync(string idempotencyKey, string reason, CancellationToken cancellationToken) =>
        sandbox.RefundAsync(idempotencyKey, reason, cancellationToken);
}

/// <summary>The real orders queue, counting what the supervisor sends to it.</summary>
public sealed class CountingOrderDispatcher(StorageQueueOrderDispatcher queue) : IOrderDispatcher
{
    private int _sent;

    public int Sent => Volatile.Read(ref _sent);

    public async Task SendAsync(OrderMessage message, string messageId, CancellationToken cancellationToken)
    {
        await queue.SendAsync(message, messageId, cancellationToken);
        Interlocked.Increment(ref _sent);
    }

    public Task<DateTimeOffset?> OldestWaitingAsync(CancellationToken cancellationToken) => queue.OldestWaitingAsync(cancellationToken);
}
