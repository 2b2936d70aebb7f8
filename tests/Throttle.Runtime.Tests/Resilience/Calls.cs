using System;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Throttle.Infrastructure;
using Throttle.Policies;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>Shared helpers: a runtime on a fake clock, and calls through a site's pipeline that count attempts.</summary>
internal static class Calls
{
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    public static ThrottleRuntime Runtime(TimeProvider clock) => new(new ThrottleRuntimeOptions { TimeProvider = clock, MaxKeys = 100 });

    public static ResilienceSite Breaker(string id = "Ns.Type.Method()", int threshold = 3, double breakSeconds = 10, string? name = null, Func<Exception, bool>? shouldHandle = null) =>
        new(id, new CircuitBreakerOptions { FailureThreshold = threshold, BreakSeconds = breakSeconds, Name = name, ShouldHandle = shouldHandle }, null);

    /// <summary>Runs one call that throws <paramref name="exception"/> (or returns 1 when null); returns the exception that came out, or null.</summary>
    public static async Task<Exception?> RunAsync(ResiliencePipeline pipeline, Exception? exception, Counter? counter = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await pipeline.ExecuteAsync(
                static (state, _) =>
                {
                    state.counter?.Increment();
                    return state.exception is null ? new ValueTask<int>(1) : ValueTask.FromException<int>(state.exception);
                },
                (exception, counter),
                cancellationToken);
            return null;
        }
        catch (Exception thrown)
        {
            return thrown;
        }
    }

    public static async Task FailAsync(ResiliencePipeline pipeline, int times, Exception? exception = null)
    {
        for (var i = 0; i < times; i++)
        {
            var expected = exception ?? new InvalidOperationException("boom");
            Assert.Same(expected, await RunAsync(pipeline, expected));
        }
    }

    public static async Task SucceedAsync(ResiliencePipeline pipeline) => Assert.Null(await RunAsync(pipeline, null));
}

/// <summary>Counts attempts, and signals each one so a test can wait for the next.</summary>
internal sealed class Counter
{
    private readonly SemaphoreSlim _signal = new(0);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Increment()
    {
        Interlocked.Increment(ref _count);
        _signal.Release();
    }

    public async Task WaitAsync() => Assert.True(await _signal.WaitAsync(Calls.Safety), "The next attempt did not start.");
}
