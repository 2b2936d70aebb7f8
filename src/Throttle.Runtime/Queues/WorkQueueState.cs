namespace Throttle.Queues;

/// <summary>The life cycle of a work queue.</summary>
public enum WorkQueueState
{
    /// <summary>Created: items can be put; no worker runs until <c>StartAsync</c>.</summary>
    Created,

    /// <summary>Workers are running.</summary>
    Running,

    /// <summary><c>StopAsync</c> was called: no item is accepted; workers are finishing.</summary>
    Stopping,

    /// <summary>Every worker has exited.</summary>
    Stopped,
}
