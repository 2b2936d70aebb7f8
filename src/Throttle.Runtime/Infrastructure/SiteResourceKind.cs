using System.ComponentModel;

namespace Throttle.Infrastructure;

/// <summary>What a <see cref="SiteReference"/> names.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum SiteResourceKind
{
    /// <summary>A limiter registered on the runtime, from <c>[RateLimit(Limiter = ...)]</c>.</summary>
    Limiter,

    /// <summary>A queue registered on the runtime, from <c>[Queued(Queue = ...)]</c>.</summary>
    Queue,

    /// <summary>A circuit breaker shared by name, from <c>[CircuitBreaker(Name = ...)]</c>; created on first use unless registered.</summary>
    CircuitBreaker,

    /// <summary>A storage registered on the runtime, from <c>[RateLimit(Storage = ...)]</c>; the first call fails when it is not registered.</summary>
    Storage,

    /// <summary>A semaphore registered on the runtime, from <c>[DistributedSemaphore(Semaphore = ...)]</c>; the first call fails when it is not registered.</summary>
    Semaphore,
}
