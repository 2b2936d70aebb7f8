using System.Runtime.CompilerServices;

namespace Throttle.Benchmarks.Telemetry;

/// <summary>
/// Two <c>[RateLimit]</c> methods on a runtime of its own: one that always has a permit, and one that never does and
/// never waits (the rejection is what Throttle logs, at Debug).
/// </summary>
public sealed partial class LoggingService(ThrottleRuntime runtime)
{
    public ThrottleRuntime Runtime { get; } = runtime;

    [RateLimit(RateLimitedService.HugeRate, Per = 1)]
    public partial int Free();

    // One permit per ~31.7 years, taken by the setup: every measured call is refused at once.
    [RateLimit(1, Per = 1e9, MaxWaitSeconds = 0)]
    public partial int Refused();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int FreeCore() => 42;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int RefusedCore() => 42;
}
