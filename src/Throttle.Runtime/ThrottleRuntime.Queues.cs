using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Queues;

namespace Throttle;

/// <summary>The runtime's queues: named ones that <c>[Queued(Queue = "name")]</c> methods share, and one per other <c>[Queued]</c> method.</summary>
public sealed partial class ThrottleRuntime
{
    private readonly ConcurrentDictionary<string, InvocationQueue> _namedQueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<InvocationQueue>> _siteQueues = new(StringComparer.Ordinal);
    private volatile bool _queuesStopped;

    /// <summary>Registers <paramref name="queue"/> under <paramref name="name"/> so that <c>[Queued(Queue = name)]</c> methods share it.</summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="queue">The queue, with its own workers and size.</param>
    /// <returns>This runtime.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty, or already registered.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="queue"/> is null.</exception>
    public ThrottleRuntime RegisterQueue(string name, InvocationQueue queue)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(queue);
        if (!_namedQueues.TryAdd(name, queue))
        {
            throw new ArgumentException($"A queue named '{name}' is already registered.", nameof(name));
        }

        ObserveQueue(name, queue);
        return this;
    }

    /// <summary>Finds the queue registered under <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="queue">The queue, when found.</param>
    /// <returns>Whether it was found.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public bool TryGetQueue(string name, [NotNullWhen(true)] out InvocationQueue? queue)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _namedQueues.TryGetValue(name, out queue);
    }

    /// <summary>The queue registered under <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The queue.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No queue has that name.</exception>
    public InvocationQueue GetQueue(string name) =>
        TryGetQueue(name, out var queue)
            ? queue
            : throw new InvalidOperationException(
                $"No queue named '{name}' is registered on this ThrottleRuntime. Call RegisterQueue(\"{name}\", new InvocationQueue(...)) at start-up.");

    /// <summary>Every queue of this runtime, the registered ones by name and the methods' own by method id.</summary>
    /// <remarks>A snapshot; a method's own queue appears once the method has been called.</remarks>
    public IReadOnlyDictionary<string, InvocationQueue> Queues
    {
        get
        {
            var queues = new Dictionary<string, InvocationQueue>(_namedQueues, StringComparer.Ordinal);
            foreach (var (id, queue) in _siteQueues)
            {
                if (queue.IsValueCreated)
                {
                    queues.TryAdd(id, queue.Value);
                }
            }

            return queues;
        }
    }

    /// <summary>
    /// Stops every queue of this runtime, the registered ones and the methods' own, concurrently (see
    /// <see cref="InvocationQueue.StopAsync"/>). Calls that were not run fail with <see cref="QueueStoppedException"/>;
    /// later calls of <c>[Queued]</c> methods on this runtime fail the same way, including methods whose queue did not
    /// exist yet. Queues registered after this call are not stopped by it.
    /// </summary>
    /// <param name="mode">Run the waiting calls first, or fail them.</param>
    /// <param name="cancellationToken">Bounds the drain.</param>
    /// <returns>How many waiting calls were failed rather than run.</returns>
    public async Task<int> StopQueuesAsync(QueueStopMode mode = QueueStopMode.Drain, CancellationToken cancellationToken = default)
    {
        // Set first: a method's queue created from now on is born stopped (see ResolveQueue), so none escapes the stop.
        _queuesStopped = true;
        var stops = new List<Task<int>>();
        foreach (var queue in _namedQueues.Values)
        {
            stops.Add(queue.StopAsync(mode, cancellationToken));
        }

        foreach (var queue in _siteQueues.Values)
        {
            stops.Add(queue.Value.StopAsync(mode, cancellationToken));
        }

        var failed = 0;
        foreach (var count in await Task.WhenAll(stops).ConfigureAwait(false))
        {
            failed += count;
        }

        return failed;
    }

    /// <summary>The queue a generated <c>[Queued]</c> method uses: named, or its own, created once per runtime.</summary>
    internal InvocationQueue ResolveQueue(QueuedSite site)
    {
        if (site.QueueName is { } name)
        {
            var named = GetQueue(name);
            return site.Fits(named.Kind) ? named : throw QueueKindMismatch(site, name, named.Kind);
        }

        // Lazy: two first calls racing must not create two queues with workers.
        var queue = _siteQueues.GetOrAdd(
            site.Id,
            static (_, state) => new Lazy<InvocationQueue>(
                () => state.runtime.ObserveQueue(state.site.Id, InvocationQueue.OwnFor(state.site.Kind, state.site.Workers, state.site.MaxSize, state.runtime.TimeProvider))),
            (runtime: this, site)).Value;
        if (_queuesStopped && queue.State == WorkQueueState.Created)
        {
            // Never started, so this completes at once; its calls fail with QueueStoppedException.
            _ = queue.StopAsync(QueueStopMode.HandBack);
        }

        return queue;
    }

    // Checked when the method first resolves its queue on this runtime, so a wrong registration fails its first call, not a later one.
    private static InvalidOperationException QueueKindMismatch(QueuedSite site, string name, QueueKind queueKind)
    {
        var (gives, needs) = site.Kind switch
        {
            QueueKind.Fifo => ("neither a delay nor a dedupe key", "a FIFO or priority queue"),
            QueueKind.Priority => ("a priority ([Queued(Priority = ...)] or PriorityParameter)", "a priority queue (new InvocationQueue(...))"),
            QueueKind.Delayed => ("a delay ([Queued(DelayParameter = ...)])", "a delay queue (InvocationQueue.Delayed(...))"),
            _ => ("a dedupe key ([Queued(DedupeKey = ...)])", "a deduplicating queue (InvocationQueue.Deduplicating(...))"),
        };
        return new InvalidOperationException(
            $"{site.Id} uses the queue '{name}', a {InvocationQueue.Describe(queueKind)} queue, but its calls give {gives}, which needs {needs}: register such a queue as '{name}', or change the method's [Queued] attribute.");
    }
}
