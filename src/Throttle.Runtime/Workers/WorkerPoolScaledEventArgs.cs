using System;

namespace Throttle.Workers;

/// <summary>A <see cref="WorkerPool"/> check changed the number of workers.</summary>
public sealed class WorkerPoolScaledEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="previousWorkers">Workers before the check.</param>
    /// <param name="workers">Workers after it.</param>
    /// <param name="queueLength">Tasks waiting when the check ran.</param>
    /// <param name="load"><paramref name="queueLength"/> / <paramref name="previousWorkers"/>.</param>
    public WorkerPoolScaledEventArgs(int previousWorkers, int workers, int queueLength, double load)
    {
        PreviousWorkers = previousWorkers;
        Workers = workers;
        QueueLength = queueLength;
        Load = load;
    }

    /// <summary>Workers before the check.</summary>
    public int PreviousWorkers { get; }

    /// <summary>Workers after the check.</summary>
    public int Workers { get; }

    /// <summary>Tasks waiting when the check ran.</summary>
    public int QueueLength { get; }

    /// <summary>The load the decision was made on: queue length / workers.</summary>
    public double Load { get; }
}
