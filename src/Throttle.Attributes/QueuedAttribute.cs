using System;
using Throttle.Policies;

namespace Throttle;

/// <summary>
/// Runs each call of the annotated partial method on a work queue: the call enqueues the invocation and returns a
/// task that completes with the implementation's result or exception once a worker has run it.
/// </summary>
/// <remarks>
/// What each call gives decides the kind of queue it needs: nothing (a FIFO or priority queue), a priority
/// (<see cref="Priority"/>, <see cref="PriorityParameter"/>: a priority queue), a delay (<see cref="DelayParameter"/>: a
/// delay queue) or a dedupe key (<see cref="DedupeKey"/>: a deduplicating queue). The method's own queue is of that kind
/// (a priority queue when calls give nothing); a registered <see cref="Queue"/> of another kind fails the first call
/// with an <see cref="InvalidOperationException"/> that names the method, the queue and both kinds.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class QueuedAttribute : Attribute
{
    /// <summary>The name of a queue registered on the runtime. Default: a queue of the method's own.</summary>
    public string? Queue { get; set; }

    /// <summary>A fixed priority for every call; higher runs first. Default 0.</summary>
    public int Priority { get; set; }

    /// <summary>The name of an <see cref="int"/> parameter whose value is the call's priority.</summary>
    public string? PriorityParameter { get; set; }

    /// <summary>
    /// The name of a <see cref="TimeSpan"/> parameter whose value is the call's delay: the call runs no earlier than
    /// that long after it was queued. The queue must be a delay queue (<c>InvocationQueue.Delayed</c>); without
    /// <see cref="Queue"/> the method's own queue is one. Not with a priority or <see cref="DedupeKey"/>.
    /// </summary>
    public string? DelayParameter { get; set; }

    /// <summary>
    /// The call's dedupe key: a parameter (<c>nameof(orderId)</c>) or a member path through one
    /// (<c>"order.Id"</c>), formatted as <c>[RateLimit(Key = ...)]</c> formats keys. A call whose key equals that of a
    /// call of this method still waiting joins it and gets its result instead of running again. The queue must be a
    /// deduplicating queue (<c>InvocationQueue.Deduplicating</c>); without <see cref="Queue"/> the method's own queue is
    /// one. Not with a priority or <see cref="DelayParameter"/>.
    /// </summary>
    public string? DedupeKey { get; set; }

    /// <summary>
    /// Workers running calls concurrently, for the method's own queue. Default and bound:
    /// <c>Throttle.Policies.QueuedOptions.DefaultWorkers</c> (1), at least <c>MinWorkers</c> (1).
    /// </summary>
    public int Workers { get; set; } = QueuedOptions.DefaultWorkers;

    /// <summary>
    /// The most calls waiting at once; further calls wait for room. Default and bound:
    /// <c>Throttle.Policies.QueuedOptions.DefaultMaxSize</c> (10,000), at least <c>MinMaxSize</c> (1).
    /// </summary>
    public int MaxSize { get; set; } = QueuedOptions.DefaultMaxSize;
}
