using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Polly;
using Polly.CircuitBreaker;
using Throttle.Infrastructure;

namespace Throttle.Benchmarks;

/// <summary>
/// Cost of one call through a closed <c>[CircuitBreaker]</c>: the generated wrapper against the same Polly
/// pipeline called by hand (the ratio baseline) and a direct call. Goal (issue 6): the wrapper within 5% of the
/// hand-written pipeline call and nothing allocated beyond what Polly allocates.
/// </summary>
[MemoryDiagnoser]
public partial class CircuitBreakerBenchmarks
{
    private readonly BreakerService _service = new();
    private ResiliencePipeline _pipeline = null!;
    private ResiliencePipeline _pollyBreaker = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The very pipeline the wrapper resolves (ThrottleRuntime.Current's, built once for the site).
        _pipeline = BreakerService.Site.Pipeline;

        // For reference: Polly's own ratio-based breaker (which Throttle does not use; see docs/resilience.md).
        _pollyBreaker = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions()).Build();
        _ = _service.GetAsync(1, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Direct call, await ValueTask<int> (no breaker)")]
    public async ValueTask<int> Direct() => await _service.GetCoreAsync(1, CancellationToken.None).ConfigureAwait(false);

    [Benchmark(Baseline = true, Description = "Same pipeline by hand: ExecuteAsync(static lambda, state)")]
    public async ValueTask<int> PipelineByHand() =>
        await _pipeline.ExecuteAsync(static (s, ct) => s.Item1.GetCoreAsync(s.Item2, ct), (_service, 1), CancellationToken.None).ConfigureAwait(false);

    [Benchmark(Description = "[CircuitBreaker] generated wrapper")]
    public async ValueTask<int> Generated() => await _service.GetAsync(1, CancellationToken.None).ConfigureAwait(false);

    [Benchmark(Description = "Polly's own CircuitBreakerStrategy by hand (reference)")]
    public async ValueTask<int> PollyBreakerByHand() =>
        await _pollyBreaker.ExecuteAsync(static (s, ct) => s.Item1.GetCoreAsync(s.Item2, ct), (_service, 1), CancellationToken.None).ConfigureAwait(false);

    /// <summary>Hand-written to match what the generator emits for <c>[CircuitBreaker] partial ValueTask&lt;int&gt; GetAsync(int, CancellationToken)</c>.</summary>
    public sealed partial class BreakerService
    {
        /// <summary>The generated wrapper's site, read once in setup so the hand-written call uses the very same pipeline.</summary>
        internal static ResilienceSite Site =>
            (ResilienceSite)typeof(BreakerService).GetField("__throttleResilience_GetAsync", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

        [CircuitBreaker(FailureThreshold = 5, BreakSeconds = 60)]
        public partial ValueTask<int> GetAsync(int x, CancellationToken cancellationToken);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public ValueTask<int> GetCoreAsync(int x, CancellationToken cancellationToken) => new(x + 41);
    }
}
