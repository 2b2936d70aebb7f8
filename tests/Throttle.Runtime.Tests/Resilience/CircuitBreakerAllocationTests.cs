using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>A successful call through a closed breaker allocates nothing (Polly pools its contexts; the strategy takes no lock).</summary>
public sealed class CircuitBreakerAllocationTests
{
    private static readonly Func<int, CancellationToken, ValueTask<int>> Work = static (x, _) => new ValueTask<int>(x + 1);

    [Fact]
    public void ClosedSuccess_AllocatesNothing()
    {
        var pipeline = Calls.Runtime(new FakeTimeProvider()).ResolvePipeline(Calls.Breaker());
        Run(pipeline, 1_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = Run(pipeline, 1_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1_000 * 2, sum);
        Assert.Equal(0, allocated);
    }

    private static int Run(ResiliencePipeline pipeline, int calls)
    {
        var sum = 0;
        for (var i = 0; i < calls; i++)
        {
            var pending = pipeline.ExecuteAsync(Work, 1, CancellationToken.None);
            Assert.True(pending.IsCompletedSuccessfully);
            sum += pending.Result;
        }

        return sum;
    }
}
