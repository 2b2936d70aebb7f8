// Also compiled into the generator (internal, under its own namespace), so the kinds have one definition.
#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle;
#endif

/// <summary>
/// The order in which an <c>InvocationQueue</c> runs its calls, and so what each call must give it. A <c>[Queued]</c>
/// method fits a queue whose kind matches what it gives: nothing (FIFO or priority queue), a priority, a delay
/// (<c>DelayParameter</c>) or a dedupe key (<c>DedupeKey</c>).
/// </summary>
#if THROTTLE_GENERATOR
internal
#else
public
#endif
enum QueueKind
{
    /// <summary>Calls run in the order they were queued; they give no priority.</summary>
    Fifo = 0,

    /// <summary>Higher priority runs first, equal priorities in call order (the method's own queue).</summary>
    Priority = 1,

    /// <summary>Each call gives a delay and runs no earlier than that long after it was queued; calls due together run in call order.</summary>
    Delayed = 2,

    /// <summary>
    /// Each call gives a key; a call whose key (and method) equals that of a call still waiting joins that call and
    /// gets its result instead of running again. Distinct calls run in call order.
    /// </summary>
    Deduplicating = 3,
}
