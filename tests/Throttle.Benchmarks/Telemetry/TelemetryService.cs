using System.Runtime.CompilerServices;

namespace Throttle.Benchmarks.Telemetry;

/// <summary>
/// A <c>[RateLimit]</c> method on a runtime of its own (the generator binds the wrapper to this field), so the same
/// generated code can be measured on runtimes whose telemetry differs.
/// </summary>
public sealed partial class TelemetryService(ThrottleRuntime runtime)
{
    public ThrottleRuntime Runtime { get; } = runtime;

    [RateLimit(RateLimitedService.HugeRate, Per = 1)]
    public partial int Get();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int GetCore() => 42;
}
