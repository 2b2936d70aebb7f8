using System;

namespace Throttle.Scheduling;

/// <summary>A scheduled job's run threw; the schedule goes on.</summary>
public sealed class ScheduledJobFailedEventArgs : EventArgs
{
    internal ScheduledJobFailedEventArgs(ScheduledJob job, Exception exception)
    {
        Job = job;
        Exception = exception;
    }

    /// <summary>The job.</summary>
    public ScheduledJob Job { get; }

    /// <summary>What the run threw.</summary>
    public Exception Exception { get; }
}
