using System;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using StackExchange.Redis;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Resilience;
using Throttle.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>Helpers of the shared circuit breaker tests: runtimes that stand for processes, each on its own connection.</summary>
internal static class SharedBreakers
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    public static ResilienceSite Site(string name, int threshold = 3, double breakSeconds = 60, string id = "Ns.Type.Method()") =>
        new(id, new CircuitBreakerOptions { FailureThreshold = threshold, BreakSeconds = breakSeconds, Name = name, Shared = true }, null);

    public static ThrottleRuntime Runtime(IConnectionMultiplexer connection, string prefix, TimeProvider? clock = null) =>
        new(new ThrottleRuntimeOptions { TimeProvider = clock ?? TimeProvider.System, MaxKeys = 100 }
            .UseRedis(connection, new RedisStorageOptions { KeyPrefix = prefix, OperationTimeout = TimeSpan.FromMilliseconds(500) }));

    /// <summary>Waits until <paramref name="condition"/> holds (an announcement arrives on another connection).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            Assert.False(guard.IsCancellationRequested, "Timed out waiting until " + what);
            await Task.Delay(5, CancellationToken.None);
        }
    }

    /// <summary>A call that waits for <paramref name="release"/> once it runs (signalling <paramref name="entered"/>).</summary>
    public static async Task<Exception?> HoldAsync(ResiliencePipeline pipeline, TaskCompletionSource entered, Task release)
    {
        try
        {
            await pipeline.ExecuteAsync(
                async (state, _) =>
                {
                    state.entered.TrySetResult();
                    await state.release.ConfigureAwait(false);
                },
                (entered, release),
                CancellationToken.None);
            return null;
        }
        catch (Exception thrown)
        {
            return thrown;
        }
    }

    public static CircuitBreakerHandle Breaker(ThrottleRuntime runtime, string name) => runtime.GetCircuitBreaker(name);
}
