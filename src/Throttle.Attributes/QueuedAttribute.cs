using System;
using Throttle.Policies;

namespace Throttle;

/// <summary>
/// Runs each call of the annotated partial method on a work queue: the call enqueues the invocation and returns a
/// task that completes with the implementation's result or exception once a worker has run it.
/// </summary>
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
