using System;
using System.Threading.RateLimiting;
using Throttle.Interop;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;

namespace Throttle.Tests.Interop;

/// <summary>On memory storage the STRL views grant without allocating: the path ASP.NET Core's middleware takes first.</summary>
public sealed class AllocationTests
{
    private const int Calls = 1000;

    [Fact]
    public void AttemptAcquire_with_a_free_permit_allocates_nothing()
    {
        using var limiter = new TokenBucketLimiter(1e9, burst: 1e9).AsRateLimiter("k");
        Assert.True(limiter.AttemptAcquire(1).IsAcquired); // warm up: the key's state is created once

        var before = GC.GetAllocatedBytesForCurrentThread();
        var granted = 0;
        for (var i = 0; i < Calls; i++)
        {
            using var lease = limiter.AttemptAcquire(1);
            granted += lease.IsAcquired ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Calls, granted);
    }

    // Reading Result is the point: the grant must complete synchronously; nothing blocks.
#pragma warning disable xUnit1031
    [Fact]
    public void Partitioned_AcquireAsync_with_a_free_permit_completes_synchronously_and_allocates_nothing()
    {
        using var limiter = new TokenBucketLimiter(1e9, burst: 1e9).AsPartitionedRateLimiter();
        Assert.True(limiter.AcquireAsync("k").Result.IsAcquired);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var granted = 0;
        for (var i = 0; i < Calls; i++)
        {
            var pending = limiter.AcquireAsync("k");
            Assert.True(pending.IsCompletedSuccessfully);
            using var lease = pending.Result;
            granted += lease.IsAcquired ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Calls, granted);
    }
#pragma warning restore xUnit1031
}
