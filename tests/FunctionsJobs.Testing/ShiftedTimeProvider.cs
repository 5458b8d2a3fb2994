namespace FunctionsJobs.Testing;

/// <summary>
/// The real clock plus an offset a test moves forward: "six minutes later" without waiting, while
/// timers and delays keep running in real time (a <c>FakeTimeProvider</c> would stop a whole
/// Host's queue polling and lease renewals until the test advanced it).
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;
}
