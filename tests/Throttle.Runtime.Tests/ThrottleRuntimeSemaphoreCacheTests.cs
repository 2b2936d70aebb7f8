using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Semaphores;
using Xunit;

namespace Throttle.Tests;

/// <summary>
/// Issue 18, bounded caches: the runtime's partition semaphores are evicted when idle once they pass
/// <see cref="ThrottleRuntimeOptions.MaxKeys"/>, so memory stays flat over any number of distinct partitions; a
/// semaphore in use (held or waited for) is never evicted, so no slot is lost or invented.
/// </summary>
[Collection(HeapMeasurementCollection.Name)]
public sealed class ThrottleRuntimeSemaphoreCacheTests
{
    private const int MaxKeys = 1_000;

    private static DistributedSemaphoreSite Site(int value) => new("M", new DistributedSemaphoreOptions
    {
        Key = "per-user",
        Value = value,
        AcquireTimeoutSeconds = 0.05, // a taken slot times out quickly; a free one is taken synchronously
    });

    private static ValueTask<int> Run(DistributedSemaphoreSite site, string partition) =>
        site.InvokeAsync(null, partition, 0, static (_, _) => new ValueTask<int>(1), CancellationToken.None);

    [Fact]
    public void Memory_stays_flat_over_a_million_distinct_partitions()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { MaxKeys = MaxKeys });
        using var scope = ThrottleRuntime.Use(runtime);
        var site = Site(1);
        var partitions = new string[1_000_000];
        for (var i = 0; i < partitions.Length; i++)
        {
            partitions[i] = i.ToString(CultureInfo.InvariantCulture); // allocated up front: not counted as growth
        }

        long baseline = 0;
        for (var i = 0; i < partitions.Length; i++)
        {
            Assert.True(Run(site, partitions[i]).IsCompletedSuccessfully);
            if (i == 99_999)
            {
                baseline = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.InRange(runtime.PartitionSemaphoreCount, 1, MaxKeys + 1);

        // Unbounded, the 900,000 partitions after the baseline cost about 300 B each (~270 MB); bounded, the cache
        // holds at most MaxKeys at any time. 4 MB of slack absorbs allocator noise.
        Assert.True(after - baseline < 4 * 1024 * 1024, $"Heap grew by {(after - baseline) / 1024} KB over 900,000 partitions.");
    }

    [Fact]
    public async Task A_held_partition_semaphore_survives_sweeps_and_keeps_counting_its_slot()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { MaxKeys = 10 });
        using var scope = ThrottleRuntime.Use(runtime);
        var site = Site(1);
        var held = await site.AcquireAsync("alice", CancellationToken.None);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(1, await Run(site, "user" + i.ToString(CultureInfo.InvariantCulture)));
        }

        // Many sweeps ran (100 partitions over a budget of 10): alice's semaphore was in use, so it is the same one
        // and its only slot is still taken.
        Assert.Same(held.Semaphore, site.Resolve("alice"));
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => Run(site, "alice").AsTask());
        await held.ReleaseAsync();
        Assert.Equal(1, await Run(site, "alice"));
        Assert.InRange(runtime.PartitionSemaphoreCount, 1, 11);
    }

    [Fact]
    public async Task A_waiter_keeps_its_partition_semaphore_and_gets_the_released_slot()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { MaxKeys = 5 });
        using var scope = ThrottleRuntime.Use(runtime);
        var waiting = new DistributedSemaphoreSite("W", new DistributedSemaphoreOptions { Key = "per-user", Value = 1 });
        var site = Site(1);
        var held = await site.AcquireAsync("bob", CancellationToken.None);
        var waiter = waiting.AcquireAsync("bob", CancellationToken.None).AsTask();

        for (var i = 0; i < 50; i++)
        {
            await Run(site, "user" + i.ToString(CultureInfo.InvariantCulture));
        }

        Assert.False(waiter.IsCompleted);
        await held.ReleaseAsync();
        await using var handedOver = await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(held.Semaphore, handedOver.Semaphore);
    }

    [Fact]
    public void The_key_own_semaphore_is_never_evicted()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { MaxKeys = 3 });
        using var scope = ThrottleRuntime.Use(runtime);
        var own = runtime.GetSemaphore("per-user", 1);
        var site = Site(1);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(Run(site, "user" + i.ToString(CultureInfo.InvariantCulture)).IsCompletedSuccessfully);
        }

        Assert.Same(own, runtime.GetSemaphore("per-user", 1));
    }
}
