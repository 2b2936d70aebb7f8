using System;

namespace Throttle.Queues;

/// <summary>
/// The queue was stopped: thrown by a put after <c>StopAsync</c>, by a take from a stopped pull queue that holds no
/// more items, and the exception of a queued call
/// (<see cref="InvocationQueue"/>, <c>[Queued]</c>) that was still waiting when its queue stopped without draining.
/// </summary>
public sealed class QueueStoppedException : InvalidOperationException
{
    /// <summary>Creates the exception with the default message.</summary>
    public QueueStoppedException()
        : base("The queue has been stopped and accepts no more items; create a new queue to continue.")
    {
    }

    /// <summary>A take found the queue stopped and empty.</summary>
    internal static QueueStoppedException NothingToTake() =>
        new("The queue has been stopped and holds no more items to take.");

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public QueueStoppedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the <paramref name="innerException"/> that caused it.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public QueueStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
