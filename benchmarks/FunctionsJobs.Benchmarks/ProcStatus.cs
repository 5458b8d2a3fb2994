using System.Globalization;

namespace FunctionsJobs.Benchmarks;

/// <summary>Memory figures of a Linux process as the kernel keeps them in <c>/proc/{pid}/status</c>.</summary>
internal static class ProcStatus
{
    /// <param name="process">A process id, or <c>self</c>.</param>
    /// <param name="key">E.g. <c>VmHWM</c> (peak resident set) or <c>VmRSS</c> (resident now).</param>
    public static double Mib(string process, string key) => File.ReadLines($"/proc/{process}/status")
        .Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
        .Single();
}
