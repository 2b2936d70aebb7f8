using System;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Tests.Storage.Redis;
using Throttle.Semaphores;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Redis;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Throttle.Testing;
using Throttle.Tests.Infrastructure;
using Xunit;

namespace Throttle.Tests;

/// <summary>One switch for Redis, one clock: whatever order the options are set in, everything the runtime makes agrees.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class ThrottleRuntimeOptionsTests(RedisFixture redis)
{
    [RedisTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_clock_reaches_the_redis_storage_its_limiters_and_semaphores_in_either_order(bool clockFirst)
    {
        var clock = new TestClock();
        var options = new ThrottleRuntimeOptions();
        if (clockFirst)
        {
            options.TimeProvider = clock;
        }

        options.UseRedis(redis.Connection, new RedisStorageOptions { KeyPrefix = redis.StoragePrefix("clock") });
        if (!clockFirst)
        {
            options.TimeProvider = clock;
        }

        var runtime = new ThrottleRuntime(options);
        Assert.Same(clock, runtime.TimeProvider);
        var storage = Assert.IsType<RedisStorage>(runtime.Storage);
        Assert.Same(clock, storage.TimeProvider);
        Assert.Same(clock, storage.Options.TimeProvider);
        Assert.Same(clock, Assert.IsType<DistributedBoundedSemaphore>(runtime.GetSemaphore("s", 1)).TimeProvider);
        using (ThrottleRuntime.Use(runtime))
        {
            var site = Sites.RateLimit("Options.Clock", 1, 1, 1, RateLimitStrategy.TokenBucket, null, null, 0);
            Assert.Same(clock, Assert.IsType<TokenBucketLimiter>(site.Limiter).Storage.TimeProvider);
        }
    }

    [RedisFact]
    public void Redis_options_with_their_own_clock_set_the_runtime_clock_unless_another_is_given()
    {
        var clock = new TestClock();
        var own = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(redis.Connection, new RedisStorageOptions { TimeProvider = clock }));
        Assert.Same(clock, own.TimeProvider);
        Assert.Same(clock, own.Storage.TimeProvider);

        var options = new ThrottleRuntimeOptions { TimeProvider = new TestClock() }.UseRedis(redis.Connection, new RedisStorageOptions { TimeProvider = clock });
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => new ThrottleRuntime(options)).ParamName);
    }

    [Fact]
    public void A_given_storage_on_another_clock_than_the_options_is_refused()
    {
        var options = new ThrottleRuntimeOptions { Storage = new MemoryStorage(10, new TestClock()), TimeProvider = new TestClock() };
        var error = Assert.Throws<ArgumentException>(() => new ThrottleRuntime(options));
        Assert.Equal("options", error.ParamName);
        Assert.Contains("clock", error.Message, StringComparison.Ordinal);

        var clock = new TestClock();
        var same = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock, Storage = new MemoryStorage(10, clock) });
        Assert.Same(clock, same.TimeProvider);
    }

    [RedisFact]
    public void The_last_storage_choice_wins_and_semaphores_follow_it()
    {
        var memory = new MemoryStorage(10);
        var redisThenMemory = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(redis.Connection).With(o => o.Storage = memory));
        Assert.Same(memory, redisThenMemory.Storage);
        Assert.IsType<InProcessSemaphore>(redisThenMemory.GetSemaphore("s", 1));

        var memoryThenRedis = new ThrottleRuntime(new ThrottleRuntimeOptions { Storage = memory }.UseRedis(redis.Connection));
        Assert.IsType<RedisStorage>(memoryThenRedis.Storage);
        Assert.IsType<DistributedBoundedSemaphore>(memoryThenRedis.GetSemaphore("s", 1));
    }

    [RedisFact]
    public async Task A_hybrid_storage_puts_semaphores_on_its_redis_connection_and_prefix()
    {
        var prefix = redis.StoragePrefix(nameof(A_hybrid_storage_puts_semaphores_on_its_redis_connection_and_prefix));
        await using var hybrid = new HybridStorage(redis.CreateStorage(prefix), 10);
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { Storage = hybrid });

        var semaphore = Assert.IsType<DistributedBoundedSemaphore>(runtime.GetSemaphore("s", 1));
        await using (await semaphore.AcquireAsync())
        {
            Assert.Contains(await redis.Connection.KeysWithTtlAsync(prefix), k => k.Key == prefix + ":sem:{s}:holders");
        }
    }
}

internal static class OptionsExtensions
{
    public static ThrottleRuntimeOptions With(this ThrottleRuntimeOptions options, Action<ThrottleRuntimeOptions> change)
    {
        change(options);
        return options;
    }
}
