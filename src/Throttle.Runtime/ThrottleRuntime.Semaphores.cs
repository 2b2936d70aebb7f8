using System;
using System.Collections.Concurrent;
using System.Threading;
using Throttle.Internal;
using Throttle.Policies;
using Throttle.Semaphores;

namespace Throttle;

/// <summary>The runtime's semaphores, shared per key.</summary>
public sealed partial class ThrottleRuntime
{
    /// <summary>Lease time of semaphores created by <see cref="GetSemaphore(string, int)"/>.</summary>
    internal static readonly TimeSpan DefaultSemaphoreLease = TimeSpan.FromSeconds(DistributedSemaphoreOptions.DefaultLeaseSeconds);

    /// <summary>Fallback polling interval of semaphores created by <see cref="GetSemaphore(string, int)"/>.</summary>
    internal static readonly TimeSpan DefaultSemaphoreSleepDelay = TimeSpan.FromSeconds(DistributedSemaphoreOptions.DefaultAcquireSleepDelaySeconds);

    // Settings are claimed per key: every partition of a key has the key's value and lease.
    private readonly SharedSettingsRegistry<SemaphoreSettings> _semaphoreSettings = SharedSettings.ForSemaphores();

    // By key and partition, kept apart (never joined into one string, so "a" + "b:c" and "a:b" + "c" stay two semaphores).
    private ConcurrentDictionary<(string Key, string? Partition), ThrottleSemaphore>? _semaphores;

    // Partition semaphores are evicted when idle once there are more than MaxKeys (a partition per user or tenant would
    // otherwise grow without bound); the key's own semaphore, which GetSemaphore hands out, is never evicted.
    private readonly object _semaphoreSweepGate = new();
    private int _partitionSemaphores;
    private int _partitionSweepAt = int.MaxValue;

    /// <summary>
    /// The semaphore <paramref name="key"/> of this runtime, created on first use and shared afterwards (also with
    /// <c>[DistributedSemaphore]</c> methods of the same key): a <see cref="DistributedBoundedSemaphore"/> when
    /// the runtime's storage is on Redis (<see cref="ThrottleRuntimeOptions.UseRedis(StackExchange.Redis.IConnectionMultiplexer, Throttle.Storage.Redis.RedisStorageOptions?)"/>, or a Redis or hybrid
    /// <see cref="ThrottleRuntimeOptions.Storage"/>; same connection, key prefix and timeout), else an <see cref="InProcessSemaphore"/>. Its acquire
    /// timeout is infinite; pass one to <see cref="ThrottleSemaphore.AcquireAsync(TimeSpan, CancellationToken)"/>.
    /// This semaphore is never evicted; the per-partition ones of <c>PartitionKey</c> methods are, when idle, once there
    /// are more than <see cref="ThrottleRuntimeOptions.MaxKeys"/>.
    /// </summary>
    /// <param name="key">The semaphore's name.</param>
    /// <param name="value">The number of slots, at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The semaphore is used in this runtime with another value or lease (named in the message).</exception>
    public ThrottleSemaphore GetSemaphore(string key, int value) =>
        GetSemaphore(key, null, value, DefaultSemaphoreLease, DefaultSemaphoreSleepDelay, user: "a ThrottleRuntime.GetSemaphore caller");

    /// <summary>
    /// Gets or creates the semaphore of <paramref name="partition"/> of <paramref name="key"/> (null: the key itself);
    /// lease and sleep delay apply only when it is created. <paramref name="user"/> (a method's site id) is named when its
    /// value, lease or sleep delay differs from the key's first user's.
    /// </summary>
    internal ThrottleSemaphore GetSemaphore(string key, string? partition, int value, TimeSpan leaseTime, TimeSpan sleepDelay, string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(value, DistributedSemaphoreOptions.MinValue);

        // Before the semaphore exists, so it always has the settings of the claim that won; a matching claim allocates nothing.
        _semaphoreSettings.Claim(key, new SemaphoreSettings(value, leaseTime, sleepDelay), user);
        var semaphores = _semaphores;
        if (semaphores is null)
        {
            Volatile.Write(ref _partitionSweepAt, Options.MaxKeys);
            Interlocked.CompareExchange(ref _semaphores, new ConcurrentDictionary<(string, string?), ThrottleSemaphore>(), null);
            semaphores = _semaphores;
        }

        if (semaphores.TryGetValue((key, partition), out var semaphore) && !semaphore.IsRetired)
        {
            return semaphore;
        }

        return AddSemaphore(semaphores, key, partition, value, leaseTime, sleepDelay);
    }

    /// <summary>How many partition semaphores the runtime holds now (tests).</summary>
    internal int PartitionSemaphoreCount => Volatile.Read(ref _partitionSemaphores);

    private ThrottleSemaphore AddSemaphore(
        ConcurrentDictionary<(string Key, string? Partition), ThrottleSemaphore> semaphores,
        string key,
        string? partition,
        int value,
        TimeSpan leaseTime,
        TimeSpan sleepDelay)
    {
        var name = (key, partition);
        while (true)
        {
            if (semaphores.TryGetValue(name, out var existing))
            {
                if (!existing.IsRetired)
                {
                    return existing;
                }

                // Evicted while idle, by a sweep that is removing it: take its place.
                if (semaphores.TryRemove(new(name, existing)))
                {
                    Interlocked.Decrement(ref _partitionSemaphores);
                }

                continue;
            }

            // A semaphore that loses the race below was never used: it holds nothing and subscribed to nothing.
            var created = CreateSemaphore(key, partition, value, leaseTime, sleepDelay);
            if (!semaphores.TryAdd(name, created))
            {
                continue;
            }

            if (partition is not null && Interlocked.Increment(ref _partitionSemaphores) > Volatile.Read(ref _partitionSweepAt))
            {
                SweepPartitionSemaphores(semaphores);
            }

            return created;
        }
    }

    /// <summary>
    /// Evicts every idle partition semaphore (nobody holds or waits for a slot): an idle in-process semaphore is the
    /// same as a new one, and a Redis one keeps its state in Redis, so eviction changes no decision. Runs when the
    /// count passes <see cref="ThrottleRuntimeOptions.MaxKeys"/>; semaphores in use stay, and the next sweep waits for
    /// a tenth of the budget more.
    /// </summary>
    private void SweepPartitionSemaphores(ConcurrentDictionary<(string Key, string? Partition), ThrottleSemaphore> semaphores)
    {
        if (!Monitor.TryEnter(_semaphoreSweepGate))
        {
            return; // another sweep is running; it evicts what this one would
        }

        try
        {
            foreach (var entry in semaphores)
            {
                if (entry.Key.Partition is not null && entry.Value.TryRetire() && semaphores.TryRemove(entry))
                {
                    Telemetry.Observed.RemoveSemaphore(entry.Value);
                    Interlocked.Decrement(ref _partitionSemaphores);
                }
            }

            var budget = Options.MaxKeys;
            Volatile.Write(ref _partitionSweepAt, Math.Max(budget, Volatile.Read(ref _partitionSemaphores) + Math.Max(1, budget / 10)));
        }
        finally
        {
            Monitor.Exit(_semaphoreSweepGate);
        }
    }

    private ThrottleSemaphore CreateSemaphore(string key, string? partition, int value, TimeSpan leaseTime, TimeSpan sleepDelay) => ObserveSemaphore(
        key,
        _redis is { } redis
            ? new DistributedBoundedSemaphore(redis, key, partition, value, sleepDelay, leaseTime, TimeProvider)
            : new InProcessSemaphore(partition is null ? key : key + ":" + partition, value, acquireTimeout: null, TimeProvider));
}
