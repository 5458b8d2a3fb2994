using FunctionsJobs.Core.Scheduling;

namespace FunctionsJobs.UnitTests.Scheduling;

public sealed class JobProgressTests
{
    [Fact]
    public void Counts_add_up_across_threads_and_percent_stays_within_0_and_100()
    {
        var progress = new JobProgress();

        Parallel.For(0, 1000, _ => progress.Add(2));
        progress.Add(0, 150);

        Assert.Equal(2000, progress.ItemsProcessed);
        Assert.Equal(100, progress.Percent);
        Assert.Throws<ArgumentOutOfRangeException>(() => progress.Add(-1));
    }

    [Fact]
    public void Set_restores_a_resumed_count()
    {
        var progress = new JobProgress();
        progress.Add(5, 10);

        progress.Set(40, null);

        Assert.Equal(40, progress.ItemsProcessed);
        Assert.Null(progress.Percent);
    }
}
