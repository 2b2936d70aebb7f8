using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle;

namespace Throttle.Samples.GatherStats;

/// <summary>
/// The client of an upstream service that holds <see cref="Licences"/> licences: it serves at most that many callers
/// at once, across every instance of this service. The attributes are the whole policy; the generator writes the
/// wrapper that runs them around <see cref="CallCoreAsync"/>, outermost first: circuit breaker, rate limit, semaphore.
/// The container injects the host's <see cref="ThrottleRuntime"/>; the generated wrapper runs on it (no static setup).
/// </summary>
public sealed partial class UpstreamClient(SimulatedUpstream upstream, ThrottleRuntime runtime)
{
    /// <summary>Licences of the upstream: attribute values are compile-time constants, so this is one too.</summary>
    public const int Licences = 3;

    /// <summary>The semaphore's key: every instance that uses this key shares its licences (through Redis when configured).</summary>
    public const string LicenceKey = "upstream-licences";

    /// <summary>The limiter registered from configuration (appsettings.json, <c>Throttle:Limiters:upstream</c>).</summary>
    public const string RateLimiterName = "upstream";

    /// <summary>The circuit breaker's name, for <see cref="ThrottleRuntime.TryGetCircuitBreaker"/>.</summary>
    public const string BreakerName = "upstream";

    /// <summary>The longest a call waits for a licence before it is rejected with <c>SemaphoreTimeoutException</c>.</summary>
    public const double AcquireTimeoutSeconds = 10;

    /// <summary>
    /// Calls the upstream. At most <see cref="Licences"/> calls run at once (cluster-wide with Redis, else in this
    /// process), each waiting up to 10 s for a licence; after 5
    /// upstream failures in a row the breaker rejects calls for 5 s. The rate is configuration's (appsettings.json:
    /// 100 calls a second per instance); a call waits up to 10 s for it.
    /// </summary>
    [DistributedSemaphore(LicenceKey, Licences, AcquireTimeoutSeconds = AcquireTimeoutSeconds)]
    [RateLimit(Limiter = RateLimiterName, MaxWaitSeconds = 10)]
    [CircuitBreaker(FailureThreshold = 5, BreakSeconds = 5, Name = BreakerName, Handles = new[] { typeof(UpstreamException) })]
    public partial Task<UpstreamReply> CallAsync(UpstreamRequest request, CancellationToken cancellationToken);

    private Task<UpstreamReply> CallCoreAsync(UpstreamRequest request, CancellationToken cancellationToken) =>
        upstream.ServeAsync(request, cancellationToken);
}
