using System;
using System.Collections.Generic;

namespace Throttle.Scheduling;

/// <summary>
/// The static <c>[Scheduled]</c> methods of every loaded assembly: generated module initializers register them here
/// (no reflection), and <see cref="Scheduler.AddRegisteredJobs"/> (or a host's <c>AddThrottle</c>) adds them.
/// </summary>
public static class ScheduledJobRegistry
{
    private static readonly List<ScheduledJobDefinition> s_jobs = [];

    /// <summary>The jobs registered so far, in registration order (a snapshot).</summary>
    public static IReadOnlyList<ScheduledJobDefinition> Jobs
    {
        get
        {
            lock (s_jobs)
            {
                return s_jobs.ToArray();
            }
        }
    }

    /// <summary>Records a job; called by generated code.</summary>
    /// <param name="definition">The job.</param>
    /// <exception cref="ArgumentNullException"><paramref name="definition"/> is null.</exception>
    public static void Register(ScheduledJobDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (s_jobs)
        {
            s_jobs.Add(definition);
        }
    }
}
