namespace Throttle.Queues;

/// <summary>What a work queue's <c>StopAsync</c> does with the items still waiting.</summary>
public enum QueueStopMode
{
    /// <summary>Workers keep taking items until the queue is empty (bounded by the stop's cancellation token); then they exit.</summary>
    Drain,

    /// <summary>Workers finish the items they are running and take no more; the waiting items are returned to the caller.</summary>
    HandBack,
}
