namespace Throttle.Generator.Model;

/// <summary>
/// The <c>[CircuitBreaker]</c> and <c>[Retry]</c> aspects of a method, which run as one Polly pipeline (breaker outside,
/// retry inside) held by one <c>ResilienceSite</c>.
/// </summary>
internal sealed record ResilienceModel(string FieldName, string SiteId, CircuitBreakerModel? CircuitBreaker, RetryModel? Retry);

/// <summary>The arguments of <c>[CircuitBreaker]</c>.</summary>
/// <param name="Handles">Fully qualified exception types counted as failures; empty for every exception.</param>
/// <param name="Shared">Whether the breaker's state lives in the runtime's Redis storage, shared across processes.</param>
internal sealed record CircuitBreakerModel(int FailureThreshold, double BreakSeconds, string? Name, EquatableArray<string> Handles, bool Shared);

/// <summary>The arguments of <c>[Retry]</c>.</summary>
/// <param name="Handles">Fully qualified exception types that are retried; empty for every exception.</param>
internal sealed record RetryModel(
    int MaxRetries, double BaseDelaySeconds, double MaxDelaySeconds, double ExponentialBase, bool Jitter, EquatableArray<string> Handles);
