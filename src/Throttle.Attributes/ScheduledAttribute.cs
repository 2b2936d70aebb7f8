using System;

namespace Throttle;

/// <summary>
/// Runs the annotated method on a schedule: every <see cref="Seconds"/> + <see cref="Minutes"/> + <see cref="Hours"/>
/// (the parts given are added), or at the occurrences of <see cref="Cron"/>. The method returns <c>Task</c>,
/// <c>ValueTask</c> or <c>void</c> and takes nothing or one <c>CancellationToken</c> (cancelled when the scheduler stops
/// or the leadership is lost). The source generator registers it without reflection: a static method with the
/// scheduler's registry (<c>Scheduler.AddRegisteredJobs</c>), an instance method through its partial type, which then
/// implements <c>IScheduledJobs&lt;T&gt;</c> (<c>Scheduler.AddJobs&lt;T&gt;</c>, a host's <c>AddScheduledJobs&lt;T&gt;</c>).
/// Bounds are those of <c>Throttle.Policies.ScheduledOptions</c> (THR501, THR502, THR506, THR107).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ScheduledAttribute : Attribute
{
    /// <summary>Seconds of the interval; positive and finite when set.</summary>
    public double Seconds { get; set; }

    /// <summary>Minutes of the interval; positive and finite when set.</summary>
    public double Minutes { get; set; }

    /// <summary>Hours of the interval; positive and finite when set.</summary>
    public double Hours { get; set; }

    /// <summary>A cron expression (Cronos syntax, UTC) instead of an interval; checked when the job is added to a scheduler.</summary>
    public string? Cron { get; set; }

    /// <summary>The job's name, unique among the scheduler's jobs. Default <c>Type.Method</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Whether the job runs only in the instance that holds <see cref="Leadership"/>. Default <see langword="false"/>.</summary>
    public bool OnlyOnLeader { get; set; }

    /// <summary>The leadership an <see cref="OnlyOnLeader"/> job needs. Default <c>ScheduledOptions.DefaultLeadership</c> ("throttle-scheduler").</summary>
    public string? Leadership { get; set; }
}
