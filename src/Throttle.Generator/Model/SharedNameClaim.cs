namespace Throttle.Generator.Model;

/// <summary>The kinds of state that methods share by name.</summary>
internal enum SharedNameKind
{
    /// <summary><c>[RateLimit(Scope = ...)]</c>: methods of one scope share their buckets or windows.</summary>
    RateLimitScope,

    /// <summary><c>[CircuitBreaker(Name = ...)]</c>: methods of one name share one breaker.</summary>
    CircuitBreaker,

    /// <summary><c>[DistributedSemaphore(key, ...)]</c>: methods of one key (and partition) share one semaphore.</summary>
    Semaphore,
}

/// <summary>One setting of a shared name, as the diagnostic shows it (<c>Rate = 5</c>).</summary>
internal sealed record SharedSetting(string Name, string Value);

/// <summary>
/// A method's claim on state shared by name: which name, which method, the settings that must agree with every other
/// claim on the name, and where to report a disagreement (the method's attribute).
/// </summary>
internal sealed record SharedNameClaim(
    SharedNameKind Kind, string Name, string Method, EquatableArray<SharedSetting> Settings, LocationInfo? Location);
