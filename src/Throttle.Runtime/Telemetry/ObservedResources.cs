using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;
using Throttle.Limiters;
using Throttle.Queues;
using Throttle.Semaphores;
using Throttle.Workers;

namespace Throttle.Telemetry;

/// <summary>
/// The resources whose state is read when metrics are collected (observable instruments): the runtime's queues,
/// named limiters and semaphores, and the work queues and worker pools a user tracks with
/// <see cref="ThrottleMetrics.Track(WorkerPool, string)"/>. Reading them costs nothing between collections.
/// </summary>
internal sealed class ObservedResources
{
    private readonly ConcurrentDictionary<string, InvocationQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ThrottleLimiter> _limiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ThrottleSemaphore, SemaphoreTelemetry> _semaphores = new();
    private readonly ConcurrentDictionary<object, (string Name, WorkQueueCounts Counts)> _workQueues = new();
    private readonly ConcurrentDictionary<WorkerPool, string> _pools = new();

    public ObservedResources(Meter meter)
    {
        meter.CreateObservableUpDownCounter(
            TelemetryNames.QueueLength, ObserveQueueLengths, "{call}", "Calls waiting in a [Queued] method's queue (not yet running).");
        meter.CreateObservableGauge(
            TelemetryNames.RateLimitTokens, ObserveTokens, "{token}", "Tokens a named limiter's shared bucket (its key is its name) holds now; in-memory and hybrid storages.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.SemaphoreLeases, ObserveLeases, "{lease}", "Leases this process holds on a semaphore now.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.SemaphoreWaiters, ObserveWaiters, "{waiter}", "Callers of this process waiting for a slot of a semaphore now.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.WorkQueueLength, ObserveWorkQueueLengths, "{item}", "Items waiting in a tracked work queue.");
        meter.CreateObservableCounter(
            TelemetryNames.WorkQueueItems, ObserveWorkQueueItems, "{item}", "Items (or batches) a tracked work queue's handler finished, by result (processed, failed).");
        meter.CreateObservableCounter(
            TelemetryNames.WorkQueueDuplicates, ObserveDuplicates, "{item}", "Items a tracked deduplicating queue rejected as duplicates.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.WorkerPoolWorkers, ObservePoolWorkers, "{worker}", "Workers a tracked worker pool has now.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.WorkerPoolQueueLength, ObservePoolQueues, "{task}", "Tasks submitted to a tracked worker pool that no worker has started.");
        meter.CreateObservableCounter(
            TelemetryNames.WorkerPoolScalings, ObserveScalings, "{event}", "Scaling decisions of a tracked worker pool, by direction (up, down).");
    }

    public void AddQueue(string name, InvocationQueue queue) => _queues.TryAdd(name, queue);

    public void AddLimiter(string name, ThrottleLimiter limiter) => _limiters.TryAdd(name, limiter);

    public void AddSemaphore(ThrottleSemaphore semaphore, SemaphoreTelemetry telemetry) => _semaphores.TryAdd(semaphore, telemetry);

    /// <summary>Forgets a semaphore the runtime evicted, so the gauges hold no reference to it.</summary>
    public void RemoveSemaphore(ThrottleSemaphore semaphore) => _semaphores.TryRemove(semaphore, out _);

    public IDisposable AddWorkQueue(object queue, string name, WorkQueueCounts counts)
    {
        if (!_workQueues.TryAdd(queue, (name, counts)))
        {
            throw new InvalidOperationException($"This work queue is already tracked (as '{_workQueues[queue].Name}').");
        }

        return new Untrack(() => _workQueues.TryRemove(queue, out _));
    }

    public IDisposable AddPool(WorkerPool pool, string name)
    {
        if (!_pools.TryAdd(pool, name))
        {
            throw new InvalidOperationException($"This worker pool is already tracked (as '{_pools[pool]}').");
        }

        return new Untrack(() => _pools.TryRemove(pool, out _));
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private IEnumerable<Measurement<int>> ObserveQueueLengths()
    {
        foreach (var (name, queue) in _queues)
        {
            yield return new Measurement<int>(queue.Count, Tag(TelemetryNames.QueueTag, name));
        }
    }

    private IEnumerable<Measurement<double>> ObserveTokens()
    {
        foreach (var (name, limiter) in _limiters)
        {
            // The unkeyed bucket of a named limiter is keyed by its name; only a synchronous answer is read (no Redis call here).
            var stats = limiter.GetStatsAsync(name);
            if (stats.IsCompletedSuccessfully)
            {
                yield return new Measurement<double>(stats.Result.AvailableTokens, Tag(TelemetryNames.LimiterTag, name));
            }
            else
            {
                _ = stats.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, System.Threading.Tasks.TaskContinuationOptions.OnlyOnFaulted, System.Threading.Tasks.TaskScheduler.Default);
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveLeases()
    {
        foreach (var (name, total) in SumBySemaphore(static (semaphore, _) => semaphore.OutstandingCount))
        {
            yield return new Measurement<int>(total, Tag(TelemetryNames.SemaphoreTag, name));
        }
    }

    private IEnumerable<Measurement<int>> ObserveWaiters()
    {
        foreach (var (name, total) in SumBySemaphore(static (_, telemetry) => telemetry.Waiters))
        {
            yield return new Measurement<int>(total, Tag(TelemetryNames.SemaphoreTag, name));
        }
    }

    // Partitions of one key are separate semaphores; the metric is per key (partitions are unbounded).
    private Dictionary<string, int> SumBySemaphore(Func<ThrottleSemaphore, SemaphoreTelemetry, int> read)
    {
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (semaphore, telemetry) in _semaphores)
        {
            totals[telemetry.Name] = totals.GetValueOrDefault(telemetry.Name) + read(semaphore, telemetry);
        }

        return totals;
    }

    private IEnumerable<Measurement<int>> ObserveWorkQueueLengths()
    {
        foreach (var (_, (name, counts)) in _workQueues)
        {
            yield return new Measurement<int>(counts.Length(), Tag(TelemetryNames.QueueTag, name));
        }
    }

    private IEnumerable<Measurement<long>> ObserveWorkQueueItems()
    {
        foreach (var (_, (name, counts)) in _workQueues)
        {
            yield return new Measurement<long>(counts.Processed(), Tag(TelemetryNames.QueueTag, name), Tag(TelemetryNames.QueueResultTag, TelemetryNames.Processed));
            yield return new Measurement<long>(counts.Failed(), Tag(TelemetryNames.QueueTag, name), Tag(TelemetryNames.QueueResultTag, TelemetryNames.Failed));
        }
    }

    private IEnumerable<Measurement<long>> ObserveDuplicates()
    {
        foreach (var (_, (name, counts)) in _workQueues)
        {
            if (counts.Duplicates is { } duplicates)
            {
                yield return new Measurement<long>(duplicates(), Tag(TelemetryNames.QueueTag, name));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObservePoolWorkers()
    {
        foreach (var (pool, name) in _pools)
        {
            yield return new Measurement<int>(pool.WorkerCount, Tag(TelemetryNames.WorkerPoolTag, name));
        }
    }

    private IEnumerable<Measurement<int>> ObservePoolQueues()
    {
        foreach (var (pool, name) in _pools)
        {
            yield return new Measurement<int>(pool.QueueLength, Tag(TelemetryNames.WorkerPoolTag, name));
        }
    }

    private IEnumerable<Measurement<long>> ObserveScalings()
    {
        foreach (var (pool, name) in _pools)
        {
            yield return new Measurement<long>(pool.ScaleUpCount, Tag(TelemetryNames.WorkerPoolTag, name), Tag(TelemetryNames.ScalingDirectionTag, TelemetryNames.Up));
            yield return new Measurement<long>(pool.ScaleDownCount, Tag(TelemetryNames.WorkerPoolTag, name), Tag(TelemetryNames.ScalingDirectionTag, TelemetryNames.Down));
        }
    }

    /// <summary>How a tracked work queue's figures are read.</summary>
    internal sealed record WorkQueueCounts(Func<int> Length, Func<long> Processed, Func<long> Failed, Func<long>? Duplicates);

    private sealed class Untrack(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
