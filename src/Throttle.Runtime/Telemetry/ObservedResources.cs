using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
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
            TelemetryNames.QueueLength,
            () => Each(_queues.Select(static q => (q.Key, q.Value)), TelemetryNames.QueueTag, static queue => queue.Count),
            "{call}", "Calls waiting in a [Queued] method's queue (not yet running).");
        meter.CreateObservableGauge(
            TelemetryNames.RateLimitTokens, ObserveTokens, "{token}", "Tokens a named limiter's shared bucket (its key is its name) holds now; in-memory and hybrid storages.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.SemaphoreLeases,
            () => Each(SumBySemaphore(static (semaphore, _) => semaphore.OutstandingCount), TelemetryNames.SemaphoreTag, static total => total),
            "{lease}", "Leases this process holds on a semaphore now.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.SemaphoreWaiters,
            () => Each(SumBySemaphore(static (_, telemetry) => telemetry.Waiters), TelemetryNames.SemaphoreTag, static total => total),
            "{waiter}", "Callers of this process waiting for a slot of a semaphore now.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.WorkQueueLength,
            () => Each(WorkQueues, TelemetryNames.QueueTag, static counts => counts.Length()),
            "{item}", "Items waiting in a tracked work queue.");
        meter.CreateObservableCounter(
            TelemetryNames.WorkQueueItems,
            () => EachBy(WorkQueues, TelemetryNames.QueueTag, TelemetryNames.QueueResultTag, (TelemetryNames.Processed, static counts => counts.Processed()), (TelemetryNames.Failed, static counts => counts.Failed())),
            "{item}", "Items (or batches) a tracked work queue's handler finished, by result (processed, failed).");
        meter.CreateObservableCounter(
            TelemetryNames.WorkQueueDuplicates,
            () => Each(WorkQueues.Where(static q => q.Counts.Duplicates is not null), TelemetryNames.QueueTag, static counts => counts.Duplicates!()),
            "{item}", "Items a tracked deduplicating queue rejected as duplicates.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.WorkerPoolWorkers,
            () => Each(Pools, TelemetryNames.WorkerPoolTag, static pool => pool.WorkerCount),
            "{worker}", "Workers a tracked worker pool has now.");
        meter.CreateObservableUpDownCounter(
            TelemetryNames.WorkerPoolQueueLength,
            () => Each(Pools, TelemetryNames.WorkerPoolTag, static pool => pool.QueueLength),
            "{task}", "Tasks submitted to a tracked worker pool that no worker has started.");
        meter.CreateObservableCounter(
            TelemetryNames.WorkerPoolScalings,
            () => EachBy(Pools, TelemetryNames.WorkerPoolTag, TelemetryNames.ScalingDirectionTag, (TelemetryNames.Up, static pool => pool.ScaleUpCount), (TelemetryNames.Down, static pool => pool.ScaleDownCount)),
            "{event}", "Scaling decisions of a tracked worker pool, by direction (up, down).");
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

    private IEnumerable<(string Name, WorkQueueCounts Counts)> WorkQueues => _workQueues.Select(static q => q.Value);

    private IEnumerable<(string Name, WorkerPool Pool)> Pools => _pools.Select(static p => (p.Value, p.Key));

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    // One measurement per resource, tagged with its name.
    private static IEnumerable<Measurement<T>> Each<TResource, T>(IEnumerable<(string Name, TResource Resource)> resources, string tag, Func<TResource, T> read)
        where T : struct
    {
        foreach (var (name, resource) in resources)
        {
            yield return new Measurement<T>(read(resource), Tag(tag, name));
        }
    }

    // Two measurements per resource, told apart by a second tag (a result, a direction).
    private static IEnumerable<Measurement<long>> EachBy<TResource>(
        IEnumerable<(string Name, TResource Resource)> resources, string tag, string byTag, (string Value, Func<TResource, long> Read) first, (string Value, Func<TResource, long> Read) second)
    {
        foreach (var (name, resource) in resources)
        {
            yield return new Measurement<long>(first.Read(resource), Tag(tag, name), Tag(byTag, first.Value));
            yield return new Measurement<long>(second.Read(resource), Tag(tag, name), Tag(byTag, second.Value));
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

    // Partitions of one key are separate semaphores; the metric is per key (partitions are unbounded).
    private IEnumerable<(string Name, int Total)> SumBySemaphore(Func<ThrottleSemaphore, SemaphoreTelemetry, int> read)
    {
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (semaphore, telemetry) in _semaphores)
        {
            totals[telemetry.Name] = totals.GetValueOrDefault(telemetry.Name) + read(semaphore, telemetry);
        }

        return totals.Select(static t => (t.Key, t.Value));
    }

    /// <summary>How a tracked work queue's figures are read.</summary>
    internal sealed record WorkQueueCounts(Func<int> Length, Func<long> Processed, Func<long> Failed, Func<long>? Duplicates);

    private sealed class Untrack(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
