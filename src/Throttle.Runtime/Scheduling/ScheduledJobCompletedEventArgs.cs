using System;

namespace Throttle.Scheduling;

/// <summary>A scheduled job's run ended (it returned, threw or was cancelled) and its next occurrence is set.</summary>
public sealed class ScheduledJobCompletedEventArgs : EventArgs
{
    internal ScheduledJobCompletedEventArgs(ScheduledJob job)
    {
        Job = job;
    }

    /// <summary>The job; <see cref="ScheduledJob.NextRun"/> is already its next occurrence (null when stopped).</summary>
    public ScheduledJob Job { get; }
}
