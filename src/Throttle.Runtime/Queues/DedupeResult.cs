namespace Throttle.Queues;

/// <summary>The outcome of putting an item on a <see cref="DedupeWorkQueue{T}"/>.</summary>
public enum DedupeResult
{
    /// <summary>The item was queued and its key recorded.</summary>
    Accepted,

    /// <summary>An item with the same key was accepted within the TTL: this one was rejected, not queued.</summary>
    Duplicate,

    /// <summary>The queue was at its maximum size (<c>TryPut</c> only; <c>PutAsync</c> waits for room instead).</summary>
    Full,
}
