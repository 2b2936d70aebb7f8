using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters;
using Throttle.Limiters.Backends;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

/// <summary>
/// Request coalescing (<see cref="RedisAcquireCoalescer"/>): concurrent acquisitions of one key go to Redis as shared
/// script calls, decided exactly as one-by-one calls would be. Each test runs on a server of its own, so that
/// <c>INFO commandstats</c> counts only its calls.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisCoalescingTests(RedisFixture redis)
{
    private const int Callers = 64;
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [RedisTheory(RequiresDedicatedServer = true)]
    [InlineData(nameof(LimiterAlgorithm.TokenBucket))]
    [InlineData(nameof(LimiterAlgorithm.SlidingWindow))]
    public async Task Callers_of_one_key_share_script_calls_and_are_granted_exactly_the_capacity(string algorithmName)
    {
        var algorithm = Enum.Parse<LimiterAlgorithm>(algorithmName);
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        var rate = new LimiterRate(Capacity: 20, PerSecond: 0.001);
        var backend = storage.Backend(algorithm, "api", rate.Capacity, rate.PerSecond, TimeSpan.FromHours(1));
        await WarmUpAsync(backend, rate);
        var admin = connection.GetServer(server.Endpoint);
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        var decisions = await AllAtOnceAsync(Callers, _ => backend.TryAcquireAsync("hot", 1, rate, CancellationToken.None));

        Assert.Equal(20, decisions.Count(d => d.IsAcquired));
        Assert.All(decisions.Where(d => !d.IsAcquired), d => Assert.True(d.RetryAfter > TimeSpan.FromSeconds(100), d.RetryAfter.ToString()));
        var calls = await RedisCommandStats.ScriptCallsAsync(admin);
        Assert.InRange(calls, 1, Callers - 1);
        Assert.InRange((await backend.GetStatsAsync("hot", rate, CancellationToken.None)).AvailableTokens, 0, 0.01);
    }

    [RedisTheory(RequiresDedicatedServer = true)]
    [InlineData(nameof(LimiterAlgorithm.TokenBucket))]
    [InlineData(nameof(LimiterAlgorithm.SlidingWindow))]
    public async Task Mixed_permit_sizes_are_decided_as_one_by_one_calls_would_be(string algorithmName)
    {
        var algorithm = Enum.Parse<LimiterAlgorithm>(algorithmName);
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        var rate = new LimiterRate(Capacity: 50, PerSecond: 0.001);
        var backend = storage.Backend(algorithm, "api", rate.Capacity, rate.PerSecond, TimeSpan.FromHours(1));
        await WarmUpAsync(backend, rate);
        var admin = connection.GetServer(server.Endpoint);
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        static double Size(int caller) => 1 + (caller % 4) * 1.5; // 1, 2.5, 4, 5.5
        var decisions = await AllAtOnceAsync(Callers, i => backend.TryAcquireAsync("hot", Size(i), rate, CancellationToken.None));

        var granted = Enumerable.Range(0, Callers).Where(i => decisions[i].IsAcquired).Sum(Size);
        var available = (await backend.GetStatsAsync("hot", rate, CancellationToken.None)).AvailableTokens;
        Assert.InRange(granted, 50 - 5.5, 50);
        Assert.InRange(granted + available, 50 - 0.001, 50 + 0.02); // what was not granted is still there (plus a trickle of refill)

        // One by one, a request is refused only when what is left is less than it asks; what is left only shrinks.
        Assert.All(Enumerable.Range(0, Callers).Where(i => !decisions[i].IsAcquired), i => Assert.True(available + 0.01 < Size(i), $"{Size(i)} refused with {available} left"));
        Assert.InRange(await RedisCommandStats.ScriptCallsAsync(admin), 1, Callers - 1);
    }

    [RedisTheory(RequiresDedicatedServer = true)]
    [InlineData(nameof(LimiterAlgorithm.TokenBucket))]
    [InlineData(nameof(LimiterAlgorithm.SlidingWindow))]
    public async Task A_caller_cancelled_while_its_call_is_in_flight_gets_OperationCanceled_and_its_permit_back(string algorithmName)
    {
        var algorithm = Enum.Parse<LimiterAlgorithm>(algorithmName);
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var storage = new RedisStorage(connection);
        var rate = new LimiterRate(Capacity: 5, PerSecond: 0.001);
        var backend = storage.Backend(algorithm, "api", rate.Capacity, rate.PerSecond, TimeSpan.FromHours(1));
        await WarmUpAsync(backend, rate);
        await using var other = await server.ConnectAsync(o => o.AllowAdmin = true);

        // The server holds every client's commands for a while: the leader's call is in flight, the others queue behind it.
        await other.GetServer(server.Endpoint).ExecuteAsync("CLIENT", "PAUSE", "700", "ALL");
        using var leader = new CancellationTokenSource();
        using var queued = new CancellationTokenSource();
        var inFlight = backend.TryAcquireAsync("k", 1, rate, leader.Token).AsTask();
        var behind = backend.TryAcquireAsync("k", 1, rate, queued.Token).AsTask();
        var kept = backend.TryAcquireAsync("k", 1, rate, CancellationToken.None).AsTask();
        leader.Cancel();
        queued.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inFlight.WaitAsync(TimeSpan.FromMilliseconds(500)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => behind.WaitAsync(TimeSpan.FromMilliseconds(500)));
        Assert.True((await kept.WaitAsync(s_guard)).IsAcquired);

        // The leader's script ran after the pause and granted it a token: given back. The one behind was never asked for.
        var deadline = DateTime.UtcNow + s_guard;
        double available;
        while ((available = (await backend.GetStatsAsync("k", rate, CancellationToken.None)).AvailableTokens) < 4 - 0.01 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.InRange(available, 4 - 0.001, 4 + 0.02);
    }

    [Theory]
    [InlineData(StorageFailureMode.Throw)]
    [InlineData(StorageFailureMode.FailOpen)]
    [InlineData(StorageFailureMode.FailClosed)]
    public async Task Every_caller_of_a_failed_batch_gets_the_failure_policys_answer(StorageFailureMode mode)
    {
        var endpoint = "127.0.0.1:" + RedisTestHelpers.FreePort();
        await using var storage = new RedisStorage(endpoint, new RedisStorageOptions
        {
            OperationTimeout = TimeSpan.FromMilliseconds(400),
            FailureMode = mode,
            FailClosedRetryAfter = TimeSpan.FromSeconds(7),
        });
        var rate = new LimiterRate(Capacity: 5, PerSecond: 1);
        foreach (var algorithm in new[] { LimiterAlgorithm.TokenBucket, LimiterAlgorithm.SlidingWindow })
        {
            var backend = storage.Backend(algorithm, "api", rate.Capacity, rate.PerSecond);
            var calls = Enumerable.Range(0, 16).Select(i => backend.TryAcquireAsync("k", 1 + (i % 2), rate, CancellationToken.None).AsTask()).ToArray();
            foreach (var call in calls)
            {
                switch (mode)
                {
                    case StorageFailureMode.Throw:
                        await Assert.ThrowsAsync<ThrottleStorageException>(() => call.WaitAsync(s_guard));
                        break;
                    case StorageFailureMode.FailOpen:
                        Assert.True((await call.WaitAsync(s_guard)).IsAcquired);
                        break;
                    default:
                        var decision = await call.WaitAsync(s_guard);
                        Assert.False(decision.IsAcquired);
                        Assert.Equal(TimeSpan.FromSeconds(7), decision.RetryAfter);
                        break;
                }
            }
        }
    }

    [RedisFact]
    public async Task A_bad_key_fails_its_caller_alone()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(A_bad_key_fails_its_caller_alone)));
        var rate = new LimiterRate(Capacity: 5, PerSecond: 0.001);
        var backend = storage.Backend(LimiterAlgorithm.TokenBucket, "api", rate.Capacity, rate.PerSecond);
        var good = backend.TryAcquireAsync("k", 1, rate, CancellationToken.None).AsTask();

        var error = Assert.Throws<ArgumentException>(() => backend.TryAcquireAsync(new string('x', RedisKeys.MaxPartLength + 1), 1, rate, CancellationToken.None));
        Assert.Equal("key", error.ParamName);
        Assert.True((await good.WaitAsync(s_guard)).IsAcquired);
    }

    [RedisFact]
    public async Task Limiters_on_coalescing_backends_still_wait_and_give_back_as_before()
    {
        await using var storage = redis.CreateStorage(redis.StoragePrefix(nameof(Limiters_on_coalescing_backends_still_wait_and_give_back_as_before)));
        var limiter = new TokenBucketLimiter(10, per: 0.1, burst: 10, storage: storage);

        // 64 waiting callers on one key at 100 tokens/s: all get through, none beyond the rate.
        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => limiter.AcquireAsync("k", maxWait: s_guard).AsTask()));
        var elapsed = DateTime.UtcNow - started;
        Assert.True(elapsed >= TimeSpan.FromSeconds((Callers - 10 - 1) / 100.0), elapsed.ToString());
    }

    private static async Task WarmUpAsync(ILimiterBackend backend, LimiterRate rate)
    {
        // Loads the scripts (both forms) on a key of their own, so that the counted calls are the test's.
        Assert.True((await backend.TryAcquireAsync("warm-up", 1, rate, CancellationToken.None)).IsAcquired);
        await AllAtOnceAsync(4, i => backend.TryAcquireAsync("warm-up", 1 + (i % 2), rate, CancellationToken.None));
        await AllAtOnceAsync(4, _ => backend.TryAcquireAsync("warm-up", 1, rate, CancellationToken.None));
    }

    /// <summary>Starts <paramref name="count"/> calls from as many threads, released together, and waits for them all.</summary>
    private static async Task<RateLimitDecision[]> AllAtOnceAsync(int count, Func<int, ValueTask<RateLimitDecision>> call)
    {
        using var go = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, count)
            .Select(i => Task.Factory.StartNew(
                () =>
                {
                    go.Wait();
                    return call(i).AsTask();
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap())
            .ToArray();
        go.Set();
        return await Task.WhenAll(calls).WaitAsync(s_guard);
    }
}
