using FunctionsJobs.Core.Thumbnails;

namespace FunctionsJobs.UnitTests.Thumbnails;

/// <summary>The memory limit from fake cgroup files, and the default thumbnail concurrency it gives.</summary>
public sealed class MemoryLimitTests : IDisposable
{
    private const long GiB = 1024L * 1024 * 1024;
    private const long Total = 24 * GiB;
    private readonly TempDirectory _root = new();

    [Fact]
    public void Cgroup_v2_memory_max_of_a_container_is_the_limit()
    {
        Write("proc-self-cgroup", "0::/\n");
        Write("sys/memory.max", "1073741824\n");

        Assert.Equal(GiB, Detect());
    }

    [Fact]
    public void Cgroup_v2_max_means_no_limit_and_the_tightest_parent_binds()
    {
        Write("proc-self-cgroup", "0::/kubepods.slice/pod1/host\n");
        Write("sys/kubepods.slice/pod1/host/memory.max", "max\n");
        Write("sys/kubepods.slice/pod1/memory.max", "2147483648\n");
        Write("sys/kubepods.slice/memory.max", "8589934592\n");

        Assert.Equal(2 * GiB, Detect());
    }

    [Fact]
    public void Cgroup_v1_memory_limit_in_bytes_is_the_limit_and_its_huge_no_limit_value_is_undercut_by_total_memory()
    {
        Write("proc-self-cgroup", "4:memory:/process_api/host\n3:cpuset:/\n");
        Write("sys/memory/process_api/host/memory.limit_in_bytes", "1610612736\n");
        Write("sys/memory/memory.limit_in_bytes", "9223372036854771712\n");

        Assert.Equal(1536L * 1024 * 1024, Detect());

        Write("sys/memory/process_api/host/memory.limit_in_bytes", "9223372036854771712\n");
        Assert.Equal(Total, Detect());
    }

    [Fact]
    public void Cgroup_v1_inside_a_container_reads_the_mount_root_when_the_listed_path_is_the_hosts()
    {
        Write("proc-self-cgroup", "9:cpu,cpuacct:/docker/abc\n5:memory,hugetlb:/docker/abc\n");
        Write("sys/memory/memory.limit_in_bytes", "1073741824\n");

        Assert.Equal(GiB, Detect());
    }

    [Fact]
    public void Without_cgroup_files_the_limit_is_total_memory()
    {
        Assert.Equal(Total, Detect());
    }

    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(2, 8, 3)]
    [InlineData(4, 8, 8)]
    [InlineData(3, 8, 5)]
    [InlineData(24, 8, 8)]
    [InlineData(24, 2, 2)]
    [InlineData(0, 8, 1)]
    public void Default_concurrency_is_what_the_memory_holds_at_the_pixel_limit_one_to_a_core(int gib, int cores, int expected)
    {
        Assert.Equal(expected, ThumbnailSettings.DefaultConcurrency(gib * GiB, ThumbnailSettings.DefaultMaxPixels, cores));
    }

    [Fact]
    public void A_lower_pixel_limit_lets_more_images_run_at_once()
    {
        Assert.Equal(1, ThumbnailSettings.DefaultConcurrency(GiB, 100_000_000, 8));
        Assert.Equal(8, ThumbnailSettings.DefaultConcurrency(GiB, 16_000_000, 8));
        Assert.Equal(8, ThumbnailSettings.FromConfiguration(TestConfig.From(("ThumbnailConcurrency", "8"))).Concurrency);
    }

    public void Dispose() => _root.Dispose();

    private long Detect() => MemoryLimit.Detect(Path.Combine(_root.Path, "proc-self-cgroup"), Path.Combine(_root.Path, "sys"), Total);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
