using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Infrastructure;
using Throttle.Tests.Storage.Redis;
using Throttle.Semaphores;
using Throttle.Storage.Redis;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Throttle.Tests.Infrastructure;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>Semaphores on the Redis layer: escaped, prefixed keys with TTLs, and calls bounded by the operation timeout.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisSemaphoreLayerTests(RedisFixture redis)
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [RedisFact]
    public async Task Partition_values_that_differ_only_in_braces_percent_or_colon_never_share_a_semaphore()
    {
        var prefix = redis.StoragePrefix(nameof(Partition_values_that_differ_only_in_braces_percent_or_colon_never_share_a_semaphore));
        var runtime = Runtime(prefix);
        using var scope = ThrottleRuntime.Use(runtime);
        var site = Sites.Semaphore("M", "jobs", 1, 0.05, 30, 0.1);
        string[] partitions = ["a:b", "a%3Ab", "{a}", "%7Ba%7D", "a}", "a{", "a%", "a%25", "a", "a\n", "a\0"];

        // Value 1 each: a second partition sharing the first one's slots would time out here.
        var leases = new SemaphoreLease[partitions.Length];
        for (var i = 0; i < partitions.Length; i++)
        {
            leases[i] = await site.AcquireAsync(partitions[i], CancellationToken.None).AsTask().WaitAsync(s_guard);
        }

        // The key/partition split cannot be moved either: "jobs:a" + "b" is not "jobs" + "a:b".
        var other = Sites.Semaphore("N", "jobs:a", 1, 0.05, 30, 0.1);
        await (await other.AcquireAsync("b", CancellationToken.None).AsTask().WaitAsync(s_guard)).ReleaseAsync(); // waits for the answer

        var keys = await redis.Connection.KeysWithTtlAsync(prefix);
        var holders = keys.Where(k => k.Key.EndsWith("}:holders", StringComparison.Ordinal)).ToArray();
        Assert.Equal(partitions.Length, holders.Length);
        Assert.All(keys, k => Assert.Equal(1, k.Key.Count(c => c == '{')));
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }
    }

    [RedisFact]
    public async Task Every_semaphore_key_is_under_the_prefix_with_a_ttl_and_an_idle_partition_expires()
    {
        var prefix = redis.StoragePrefix(nameof(Every_semaphore_key_is_under_the_prefix_with_a_ttl_and_an_idle_partition_expires));
        var runtime = Runtime(prefix);
        var lease = TimeSpan.FromSeconds(2); // long enough that a loaded machine cannot outlast the TTL between two steps
        var semaphore = runtime.GetSemaphore("per-user", "alice", 1, lease, TimeSpan.FromMilliseconds(20), "test");
        var waiterSemaphore = runtime.GetSemaphore("per-user", "alice", 1, lease, TimeSpan.FromMilliseconds(20), "test");
        Assert.Same(semaphore, waiterSemaphore);

        // Use every key of a bounded semaphore: a holder, a waiter that queues (waiters), the value (meta).
        var held = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        var waiting = semaphore.AcquireAsync(s_guard, CancellationToken.None).AsTask();
        while (((DistributedSemaphore)semaphore).ParkedWaiters == 0)
        {
            await Task.Delay(10);
        }

        var keys = await redis.Connection.KeysWithTtlAsync(prefix);
        Assert.Equal(["holders", "meta", "waiters"], keys.Select(k => k.Key[(k.Key.LastIndexOf(':') + 1)..]).Order(StringComparer.Ordinal));
        Assert.All(keys, k => Assert.StartsWith(prefix + ":sem:{per-user:alice}:", k.Key, StringComparison.Ordinal));
        // Every key expires at one instant, moved half a lease ahead of the latest expiry when a later one is written.
        Assert.All(keys, k => Assert.True(k.Pttl >= 1 && k.Pttl <= (long)(lease.TotalMilliseconds * 1.5) + 1000, $"{k.Key}: PTTL {k.Pttl}"));
        Assert.InRange(keys.Max(k => k.Pttl) - keys.Min(k => k.Pttl), 0, 200); // one instant (the PTTLs are read one after another)
        await held.ReleaseAsync();
        await (await waiting.WaitAsync(s_guard)).ReleaseAsync();

        Assert.All(await redis.Connection.KeysWithTtlAsync(prefix), k => Assert.True(k.Pttl > 0, $"{k.Key} has no TTL ({k.Pttl})."));

        // Idle: nothing held, nobody waiting. Redis expires the keys on its own clock.
        using var wait = new CancellationTokenSource(s_guard);
        while ((await redis.Connection.KeysWithTtlAsync(prefix)).Length > 0)
        {
            await Task.Delay(50, wait.Token);
        }
    }

    [RedisFact]
    public async Task The_slots_an_unbounded_release_adds_expire_with_the_semaphore()
    {
        var key = redis.KeyPrefix() + "u";
        var lease = TimeSpan.FromSeconds(1);
        await using var semaphore = new DistributedSemaphore(redis.Connection, key, 1, leaseTime: lease);
        await semaphore.ReleaseAsync(); // nothing held: adds a slot
        await using (await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None))
        {
            // The added slot is a field of the semaphore's hash, which expires with its other keys: 1 to 1.5 leases + 1 s
            // after the last write of an expiry.
            Assert.Equal(1, (long)await redis.Database.HashGetAsync(semaphore.MetaKey, "x"));
            var ttl = await redis.Database.KeyTimeToLiveAsync(semaphore.MetaKey);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), lease * 1.5 + TimeSpan.FromSeconds(1));
        }

        // Idle: the added slot is forgotten with the rest, and the semaphore starts afresh with its value.
        using var wait = new CancellationTokenSource(s_guard);
        while (await redis.Database.KeyExistsAsync(semaphore.MetaKey))
        {
            await Task.Delay(50, wait.Token);
        }

        await using var one = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
    }

    [RedisFact(RequiresDedicatedServer = true)]
    public async Task A_paused_server_fails_semaphore_calls_within_the_operation_timeout_naming_the_endpoint()
    {
        await using var server = await redis.StartDedicatedAsync();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync(options => options.AllowAdmin = true);
        var timeout = TimeSpan.FromMilliseconds(300);
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(
            connection, new RedisStorageOptions { KeyPrefix = "paused", OperationTimeout = timeout }));
        var semaphore = runtime.GetSemaphore("s", 2);
        var held = await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);

        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "3000", "ALL");
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<ThrottleStorageException>(
            () => semaphore.AcquireAsync(TimeSpan.FromSeconds(20), CancellationToken.None).AsTask().WaitAsync(s_guard));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(2.5)); // bounded by the timeout, not the pause
        Assert.NotNull(error.Endpoint);
        Assert.Contains(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Endpoint, StringComparison.Ordinal);
        Assert.Contains(error.Endpoint!, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ThrottleStorageException>(() => held.ReleaseAsync().AsTask().WaitAsync(s_guard));
    }

    private ThrottleRuntime Runtime(string prefix) =>
        new(new ThrottleRuntimeOptions().UseRedis(redis.Connection, new RedisStorageOptions { KeyPrefix = prefix, OperationTimeout = TimeSpan.FromSeconds(10) }));
}
