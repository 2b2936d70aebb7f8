using System;
using System.Threading;
using System.Threading.Tasks;
using Cronos;

namespace Throttle.Scheduling;

/// <summary>One job of a <see cref="Scheduler"/>: its schedule and what it has done so far.</summary>
/// <remarks>
/// A job never overlaps itself. An interval job's occurrences are fixed when it is added (every interval from then);
/// a cron job's are its expression's, in UTC. A run that lasts past later occurrences skips them
/// (<see cref="SkippedRuns"/>): the job runs next at the first occurrence after the run ended, never several times in a
/// row to catch up.
/// </remarks>
public sealed class ScheduledJob
{
    private long _runs;
    private long _failures;
    private long _skipped;
    private volatile bool _running;

    internal ScheduledJob(string name, TimeSpan? interval, CronExpression? cron, string? cronText, string? leadership, Func<CancellationToken, ValueTask> run)
    {
        Name = name;
        Interval = interval;
        CronSchedule = cron;
        Cron = cronText;
        Leadership = leadership;
        Run = run;
    }

    /// <summary>The job's name, unique in its scheduler.</summary>
    public string Name { get; }

    /// <summary>The interval between occurrences; null for a cron job.</summary>
    public TimeSpan? Interval { get; }

    /// <summary>The cron expression; null for an interval job.</summary>
    public string? Cron { get; }

    /// <summary>The leadership the job needs to run (it runs only where it is held); null when it runs everywhere.</summary>
    public string? Leadership { get; }

    /// <summary>Runs started.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Runs that threw (other than by cancellation when stopping or losing the leadership).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Occurrences skipped because a run was still going on.</summary>
    public long SkippedRuns => Interlocked.Read(ref _skipped);

    /// <summary>Whether a run is going on.</summary>
    public bool IsRunning
    {
        get => _running;
        internal set => _running = value;
    }

    /// <summary>When the next run is due by the scheduler's clock; null while a run is going on or the scheduler is stopped.</summary>
    public DateTimeOffset? NextRun { get; internal set; }

    internal Func<CancellationToken, ValueTask> Run { get; }

    internal CronExpression? CronSchedule { get; }

    /// <summary>Interval jobs: the timestamp occurrences are counted from.</summary>
    internal long Origin { get; set; }

    /// <summary>Interval jobs: the number of the occurrence due next (or running).</summary>
    internal long Occurrence { get; set; }

    /// <summary>The timestamp the next run is due; meaningful while idle and scheduled.</summary>
    internal long Due { get; set; }

    /// <summary>Cron jobs: the occurrence due next (or running), UTC.</summary>
    internal DateTimeOffset CronDue { get; set; }

    internal Task Current { get; set; } = Task.CompletedTask;

    internal void CountRun() => Interlocked.Increment(ref _runs);

    internal void CountFailure() => Interlocked.Increment(ref _failures);

    internal void CountSkipped(long skipped) => Interlocked.Add(ref _skipped, skipped);
}
