using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Host.Queues;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsJobs.UnitTests.Queues;

/// <summary>
/// Settling a message, outcome by outcome, against a queue and a poison queue that answer as the
/// test says (no storage): what was done, what was left alone, and what it is called.
/// </summary>
public sealed class MessageSettlementTests
{
    private static readonly QueueMessage Message = QueuesModelFactory.QueueMessage("m-1", "receipt-1", "body", dequeueCount: 5, insertedOn: DateTimeOffset.UtcNow);
    private readonly ScriptedQueue _queue = new();
    private readonly ScriptedPoison _poison = new();
    private readonly MessageLeases _leases;
    private readonly MessageSettlement _settlement;

    public MessageSettlementTests()
    {
        _leases = new MessageLeases(_queue, TimeSpan.FromMinutes(10), TimeProvider.System, NullLogger.Instance);
        _settlement = new MessageSettlement(_queue, _leases, _poison, "ProcessThing", TimeProvider.System);
    }

    /// <summary>Status, error code and the outcome's name (the outcome type is internal to the Host).</summary>
    public static TheoryData<int, string?, string> Refusals => new()
    {
        { 404, "MessageNotFound", nameof(SettleOutcome.AlreadyGone) },
        { 404, "QueueNotFound", nameof(SettleOutcome.AlreadyGone) },
        { 400, "PopReceiptMismatch", nameof(SettleOutcome.TakenByAnother) },
        { 500, "InternalError", nameof(SettleOutcome.Failed) },
        { 403, "AuthorizationFailure", nameof(SettleOutcome.Failed) },
    };

    [Fact]
    public async Task Complete_deletes_with_the_current_pop_receipt()
    {
        var settled = await _settlement.CompleteAsync(Hold());

        Assert.Equal(SettleOutcome.Deleted, settled.Outcome);
        Assert.Equal(["delete m-1 receipt-1"], _queue.Calls);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_delete_is_told_apart_by_kind(int status, string? errorCode, string expected)
    {
        _queue.DeleteFails = new RequestFailedException(status, "refused", errorCode, null);

        var settled = await _settlement.CompleteAsync(Hold());

        Assert.Equal(expected, settled.Outcome.ToString());
        Assert.Same(_queue.DeleteFails, settled.Error);
    }

    [Fact]
    public async Task A_delete_that_does_not_answer_fails_instead_of_waiting()
    {
        _queue.DeleteFails = new OperationCanceledException("the deadline");

        Assert.Equal(SettleOutcome.Failed, (await _settlement.CompleteAsync(Hold())).Outcome);
    }

    [Fact]
    public async Task Release_makes_the_message_visible_after_the_visibility_timeout()
    {
        var settled = await _settlement.ReleaseAsync(Hold(), TimeSpan.FromSeconds(10));

        Assert.Equal(SettleOutcome.Released, settled.Outcome);
        Assert.Equal(["update m-1 receipt-1 00:00:10"], _queue.Calls);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_release_is_told_apart_by_kind(int status, string? errorCode, string expected)
    {
        _queue.UpdateFails = new RequestFailedException(status, "refused", errorCode, null);

        Assert.Equal(expected, (await _settlement.ReleaseAsync(Hold(), TimeSpan.Zero)).Outcome.ToString());
    }

    [Fact]
    public async Task A_lost_lease_is_never_settled_neither_deleted_released_nor_copied_to_poison()
    {
        Assert.Equal(SettleOutcome.LeaseLost, (await _settlement.CompleteAsync(Lost())).Outcome);
        Assert.Equal(SettleOutcome.LeaseLost, (await _settlement.ReleaseAsync(Lost(), TimeSpan.Zero)).Outcome);
        Assert.Equal(SettleOutcome.LeaseLost, (await _settlement.MoveToPoisonAsync(Message, Lost(), "why")).Outcome);
        Assert.Equal(SettleOutcome.LeaseLost, (await _settlement.LetLapseAsync(Lost())).Outcome);

        Assert.Empty(_queue.Calls);
        Assert.Empty(_poison.Calls);
    }

    [Fact]
    public async Task Letting_a_lease_lapse_calls_storage_for_nothing()
    {
        Assert.Equal(SettleOutcome.LeftToLapse, (await _settlement.LetLapseAsync(Hold())).Outcome);
        Assert.Empty(_queue.Calls);
    }

    [Fact]
    public async Task A_move_to_poison_copies_with_the_reason_then_deletes()
    {
        var settled = await _settlement.MoveToPoisonAsync(Message, Hold(), "handler failed on delivery 5 of 5");

        Assert.Equal(SettleOutcome.MovedToPoison, settled.Outcome);
        Assert.Equal("things-poison", settled.Copy?.PoisonQueueName);
        Assert.Equal(["copy m-1 from things by ProcessThing: handler failed on delivery 5 of 5"], _poison.Calls);
        Assert.Equal(["delete m-1 receipt-1"], _queue.Calls);
    }

    [Fact]
    public async Task A_move_whose_original_is_already_gone_keeps_its_copy()
    {
        _queue.DeleteFails = new RequestFailedException(404, "gone", "MessageNotFound", null);

        var settled = await _settlement.MoveToPoisonAsync(Message, Hold(), "why");

        Assert.Equal(SettleOutcome.MovedToPoison, settled.Outcome);
        Assert.DoesNotContain(_poison.Calls, c => c.StartsWith("remove", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(400, "PopReceiptMismatch")]
    [InlineData(500, "InternalError")]
    public async Task A_move_whose_original_cannot_be_deleted_takes_its_copy_back(int status, string errorCode)
    {
        _queue.DeleteFails = new RequestFailedException(status, "refused", errorCode, null);

        var settled = await _settlement.MoveToPoisonAsync(Message, Hold(), "why");

        Assert.Equal(SettleOutcome.CopyTakenBack, settled.Outcome);
        Assert.Same(_queue.DeleteFails, settled.Error);
        Assert.Equal(["copy m-1 from things by ProcessThing: why", "remove poison-1"], _poison.Calls);
    }

    [Fact]
    public async Task A_copy_that_cannot_be_taken_back_says_poison_may_get_a_second()
    {
        _queue.DeleteFails = new RequestFailedException(500, "refused", "InternalError", null);
        _poison.RemoveFails = new RequestFailedException(503, "busy", "ServerBusy", null);

        var settled = await _settlement.MoveToPoisonAsync(Message, Hold(), "why");

        Assert.Equal(SettleOutcome.PoisonCopyStays, settled.Outcome);
        Assert.Same(_poison.RemoveFails, settled.Error);
    }

    [Fact]
    public async Task A_copy_that_fails_leaves_the_original_alone()
    {
        _poison.CopyFails = new RequestFailedException(503, "busy", "ServerBusy", null);

        var settled = await _settlement.MoveToPoisonAsync(Message, Hold(), "why");

        Assert.Equal(SettleOutcome.Failed, settled.Outcome);
        Assert.Empty(_queue.Calls);
    }

    private MessageLease Hold() => _leases.Hold(Message, DateTimeOffset.UtcNow);

    private MessageLease Lost()
    {
        var lease = Hold();
        lease.LostReason = "storage refused the renewal (PopReceiptMismatch)";
        return lease;
    }

    /// <summary>A queue named <c>things</c> that records each call and fails the ones the test sets.</summary>
    private sealed class ScriptedQueue : QueueClient
    {
        public List<string> Calls { get; } = [];

        public Exception? DeleteFails { get; set; }

        public Exception? UpdateFails { get; set; }

        public override string Name => "things";

        public override Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
        {
            Calls.Add($"delete {messageId} {popReceipt}");
            return DeleteFails is { } failure ? Task.FromException<Response>(failure) : Task.FromResult<Response>(new Answer(204));
        }

        public override Task<Response<UpdateReceipt>> UpdateMessageAsync(
            string messageId, string popReceipt, string? messageText = null, TimeSpan visibilityTimeout = default, CancellationToken cancellationToken = default) =>
            Update(messageId, popReceipt, visibilityTimeout);

        public override Task<Response<UpdateReceipt>> UpdateMessageAsync(
            string messageId, string popReceipt, BinaryData? message = null, TimeSpan visibilityTimeout = default, CancellationToken cancellationToken = default) =>
            Update(messageId, popReceipt, visibilityTimeout);

        private Task<Response<UpdateReceipt>> Update(string messageId, string popReceipt, TimeSpan visibilityTimeout)
        {
            Calls.Add(FormattableString.Invariant($"update {messageId} {popReceipt} {visibilityTimeout:c}"));
            return UpdateFails is { } failure
                ? Task.FromException<Response<UpdateReceipt>>(failure)
                : Task.FromResult(Response.FromValue(QueuesModelFactory.UpdateReceipt("receipt-2", DateTimeOffset.UtcNow + visibilityTimeout), new Answer(204)));
        }
    }

    private sealed class ScriptedPoison : IPoisonCopies
    {
        public List<string> Calls { get; } = [];

        public Exception? CopyFails { get; set; }

        public Exception? RemoveFails { get; set; }

        public Task<PoisonCopy> CopyAsync(string queueName, QueueMessage message, string functionName, string reason, CancellationToken cancellationToken)
        {
            Calls.Add($"copy {message.MessageId} from {queueName} by {functionName}: {reason}");
            return CopyFails is { } failure
                ? Task.FromException<PoisonCopy>(failure)
                : Task.FromResult(new PoisonCopy(queueName + "-poison", QueuesModelFactory.SendReceipt("poison-1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "poison-receipt", DateTimeOffset.UtcNow)));
        }

        public Task RemoveCopyAsync(PoisonCopy copy, CancellationToken cancellationToken)
        {
            Calls.Add($"remove {copy.Receipt.MessageId}");
            return RemoveFails is { } failure ? Task.FromException(failure) : Task.CompletedTask;
        }
    }

    /// <summary>A storage answer with only a status.</summary>
    private sealed class Answer(int status) : Response
    {
        public override int Status => status;

        public override string ReasonPhrase => string.Empty;

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
