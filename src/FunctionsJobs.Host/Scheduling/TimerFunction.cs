using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Functions;

namespace FunctionsJobs.Host.Scheduling;

/// <summary>A timer-triggered function of the Host: the twin of a Functions <c>[TimerTrigger]</c> method.</summary>
public sealed record TimerFunction(IScheduledJob Job, JobSchedule Schedule, bool RunOnStartup) : IHostFunction
{
    public string Name => Job.Name;

    public string Trigger => "timerTrigger";

    public string Source => Schedule.ToString();

    public IReadOnlyList<string> Settings => [Job.ScheduleSetting];
}

/// <summary>
/// Every timer function of the Host, with its schedule read and checked. Resolved while the Host is
/// built, so a malformed schedule stops start-up with one line naming the job and its setting.
/// </summary>
public sealed class TimerFunctions
{
    private readonly Dictionary<Type, TimerFunction> _byType = [];

    public TimerFunctions(IEnumerable<TimerJobType> jobTypes, IServiceProvider services, IConfiguration configuration, TimerOptions options)
    {
        ArgumentNullException.ThrowIfNull(jobTypes);
        foreach (var type in jobTypes.Select(t => t.Type).Distinct())
        {
            var job = (IScheduledJob)services.GetRequiredService(type);
            var runOnStartup = configuration.GetBool(TimerOptions.RunOnStartupSetting(job.Name), fallback: false);
            _byType[type] = new TimerFunction(job, JobSchedule.FromSetting(configuration, job, options.TimeZone), runOnStartup);
        }

        All = [.. _byType.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    public IReadOnlyList<TimerFunction> All { get; }

    public TimerFunction Get(Type jobType) => _byType[jobType];

    /// <summary>Function names are case-insensitive, as in Functions.</summary>
    public TimerFunction? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Marks a job type as a timer function of the Host.</summary>
public sealed record TimerJobType(Type Type);
