using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle;
using Throttle.Semaphores;

namespace Throttle.Samples.GatherStats;

/// <summary>
/// The client of an upstream service that holds <see cref="Licences"/> licences: it serves at most that many callers
/// at once, across every instance of this service. The breaker and the rate limit are attributes (the generator writes
/// the wrapper around <see cref="CallCoreAsync"/>, outermost first): the breaker, the rate limit, then, innermost
/// around the upstream call, a licence of the semaphore <see cref="LicenceKey"/> registered from configuration
/// (appsettings.json, <c>Throttle:Semaphores</c>), which owns the licence count. The container injects the host's <see cref="ThrottleRuntime"/>; the generated
/// wrapper runs on it (no static setup).
/// </summary>
public sealed partial class UpstreamClient
{
    /// <summary>The semaphore's key: every instance that uses this key shares its licences (through Redis when configured).</summary>
    public const string LicenceKey = "upstream-licences";

    /// <summary>The limiter registered from configuration (appsettings.json, <c>Throttle:Limiters:upstream</c>).</summary>
    public const string RateLimiterName = "upstream";

    /// <summary>The circuit breaker's name, for <see cref="ThrottleRuntime.TryGetCircuitBreaker"/>.</summary>
    public const string BreakerName = "upstream";

    /// <summary>The longest a call waits for a licence before it is rejected with <c>SemaphoreTimeoutException</c>.</summary>
    public const double AcquireTimeoutSeconds = 10;

    private readonly SimulatedUpstream _upstream;
    private readonly ThrottleRuntime _runtime;
    private readonly ThrottleSemaphore _licences;

    /// <summary>Creates the client on the host's runtime, whose configuration registers the semaphore <see cref="LicenceKey"/>.</summary>
    /// <exception cref="InvalidOperationException">The semaphore is not registered (configuration names the setting to add).</exception>
    public UpstreamClient(SimulatedUpstream upstream, ThrottleRuntime runtime)
    {
        _upstream = upstream;
        _runtime = runtime;
        _licences = runtime.TryGetSemaphore(LicenceKey, out var semaphore)
            ? semaphore
            : throw new InvalidOperationException(
                $"The semaphore '{LicenceKey}' is not registered: set Throttle:Semaphores:{LicenceKey}:Value (the licence count) in appsettings.json.");
    }

    /// <summary>Licences of the upstream: the registered semaphore's value (configuration's, checked at start-up).</summary>
    public int Licences => _licences.Value;

    /// <summary>
    /// Calls the upstream. At most <see cref="Licences"/> calls run at once (cluster-wide with Redis, else in this
    /// process), each waiting up to 10 s for a licence; after 5
    /// upstream failures in a row the breaker rejects calls for 5 s (in every instance with Redis: the breaker is shared). The rate is configuration's (appsettings.json:
    /// 100 calls a second per instance); a call waits up to 10 s for it.
    /// </summary>
    [RateLimit(Limiter = RateLimiterName, MaxWaitSeconds = 10)]
    [CircuitBreaker(FailureThreshold = 5, BreakSeconds = 5, Name = BreakerName, Shared = true, Handles = new[] { typeof(UpstreamException) })]
    [DistributedSemaphore(Semaphore = LicenceKey, AcquireTimeoutSeconds = AcquireTimeoutSeconds)]
    public partial Task<UpstreamReply> CallAsync(UpstreamRequest request, CancellationToken cancellationToken);

    // Inside the licence: a lost lease (renewal failed, Redis restarted) cancels the token the wrapper passes here.
    private Task<UpstreamReply> CallCoreAsync(UpstreamRequest request, CancellationToken cancellationToken) =>
        _upstream.ServeAsync(request, cancellationToken);
}
