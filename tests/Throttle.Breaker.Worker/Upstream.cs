using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Breaker.Worker;

/// <summary>The worker's upstream: one shared breaker, as an application declares it; each call does what the test says.</summary>
public sealed partial class Upstream(ThrottleRuntime runtime)

{
    /// <summary>The breaker's name in Redis (under the key prefix the test gives).</summary>
    public const string BreakerName = "worker-upstream";

    /// <summary>Consecutive failures that open it.</summary>
    public const int FailureThreshold = 3;

    /// <summary>Its break, long enough for a test to look at three processes, short enough to wait out.</summary>
    public const double BreakSeconds = 2;

    [CircuitBreaker(Name = BreakerName, FailureThreshold = FailureThreshold, BreakSeconds = BreakSeconds, Shared = true, Handles = new[] { typeof(UpstreamFailureException) })]
    public partial ValueTask CallAsync(Func<CancellationToken, ValueTask> body, CancellationToken cancellationToken);

    // The generated wrapper runs this inside the breaker, on the runtime of the primary constructor.
    private ValueTask CallCoreAsync(Func<CancellationToken, ValueTask> body, CancellationToken cancellationToken) => body(cancellationToken);
}

/// <summary>The failure the breaker counts.</summary>
public sealed class UpstreamFailureException() : Exception("the upstream failed");
