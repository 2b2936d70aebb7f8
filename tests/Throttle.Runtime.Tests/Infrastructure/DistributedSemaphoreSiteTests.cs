using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Semaphores;
using Throttle.Tests.Semaphores;
using Xunit;

namespace Throttle.Tests.Infrastructure;

public sealed class DistributedSemaphoreSiteTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static DistributedSemaphoreSite Site(string id, string key, int value, double timeout, double lease, double sleep) =>
        new(id, new DistributedSemaphoreOptions { Key = key, Value = value, AcquireTimeoutSeconds = timeout, LeaseSeconds = lease, AcquireSleepDelaySeconds = sleep });

    [Theory]
    [InlineData(0, 1.0, 1.0, 1.0, "Value")]
    [InlineData(1, 0.0, 1.0, 1.0, "AcquireTimeoutSeconds")]
    [InlineData(1, -1.0, 1.0, 1.0, "AcquireTimeoutSeconds")]
    [InlineData(1, double.NaN, 1.0, 1.0, "AcquireTimeoutSeconds")]
    [InlineData(1, 1.0, 0.0, 1.0, "LeaseSeconds")]
    [InlineData(1, 1.0, double.PositiveInfinity, 1.0, "LeaseSeconds")]
    [InlineData(1, 1.0, double.NaN, 1.0, "LeaseSeconds")]
    [InlineData(1, 1.0, 0.01, 1.0, "LeaseSeconds")]
    [InlineData(1, 1.0, 1.0, 0.0, "AcquireSleepDelaySeconds")]
    [InlineData(1, 1.0, 1.0, double.PositiveInfinity, "AcquireSleepDelaySeconds")]
    [InlineData(1, 1.0, 1.0, -0.1, "AcquireSleepDelaySeconds")]
    public void Bad_numbers_are_rejected_naming_the_parameter(int value, double timeout, double lease, double sleep, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Site("id", "key", value, timeout, lease, sleep));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void Empty_names_are_rejected_and_infinite_timeout_means_no_bound()
    {
        Assert.Equal("id", Assert.Throws<ArgumentException>(() => Site("", "key", 1, 1, 1, 1)).ParamName);
        Assert.Equal("Key", Assert.Throws<ArgumentException>(() => Site("id", "", 1, 1, 1, 1)).ParamName);
        var site = Site("id", "key", 1, double.PositiveInfinity, 30, 0.1);
        Assert.Equal(Timeout.InfiniteTimeSpan, site.AcquireTimeout);
    }

    [Fact]
    public async Task Without_redis_the_site_uses_an_in_process_semaphore_shared_per_key_and_partition()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new FakeTimeProvider() });
        using var scope = ThrottleRuntime.Use(runtime);
        var site = Site("M1", "reports", 1, 10, 30, 0.1);
        var other = Site("M2", "reports", 1, 10, 30, 0.1);

        var held = await site.AcquireAsync(null, CancellationToken.None);
        Assert.IsType<InProcessSemaphore>(held.Semaphore);
        Assert.Same(runtime.GetSemaphore("reports", 1), held.Semaphore);
        Assert.Same(held.Semaphore, other.Resolve(null)); // same key, another method: the same slots

        // A partition is a semaphore of its own (key:partition).
        await using (var tenant = await site.AcquireAsync("tenant-1", CancellationToken.None))
        {
            Assert.Equal("reports:tenant-1", tenant.Semaphore.Key);
        }

        var waiting = other.AcquireAsync(null, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await using var next = await waiting.WaitAsync(Guard);
        Assert.Same(held.Semaphore, next.Semaphore);
    }

    [Fact]
    public async Task The_site_timeout_runs_on_the_runtime_clock()
    {
        var clock = new FakeTimeProvider();
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock });
        using var scope = ThrottleRuntime.Use(runtime);
        var site = Site("M", "k", 1, 2, 30, 0.1);

        using var held = site.Acquire(null, CancellationToken.None);
        var waiting = site.AcquireAsync(null, CancellationToken.None).AsTask();
        clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => waiting.WaitAsync(Guard));
    }

    [Fact]
    public void A_key_reused_with_another_value_is_an_error()
    {
        var runtime = new ThrottleRuntime();
        runtime.GetSemaphore("k", 2);
        var error = Assert.Throws<InvalidOperationException>(() => runtime.GetSemaphore("k", 3));
        Assert.Contains("Value = 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_runtime_has_its_own_semaphores()
    {
        var site = Site("M", "k", 1, 10, 30, 0.1);
        ThrottleSemaphore first;
        using (ThrottleRuntime.Use(new ThrottleRuntime()))
        {
            first = site.Resolve(null);
        }

        using (ThrottleRuntime.Use(new ThrottleRuntime()))
        {
            Assert.NotSame(first, site.Resolve(null));
        }
    }
}
