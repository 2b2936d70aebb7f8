using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A work queue whose workers take the item of highest priority first (README.md, "Queues and workers"); items of equal
/// priority run in the order they were put. A binary heap: put and take are O(log n). Created with a handler it is a
/// push queue (workers run the handler); without one, a pull queue whose consumers take items in the same order
/// (<see cref="WorkQueue{T}.TakeAsync"/>, <see cref="WorkQueue{T}.TryTake"/>, <see cref="WorkQueue{T}.ReadAllAsync"/>).
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class PriorityWorkQueue<T> : WorkQueue<T>
{
    private readonly HeapBuffer<T> _buffer;
    private readonly Func<T, CancellationToken, ValueTask>? _handler;
    private readonly Func<T, int>? _priorityFn;

    /// <summary>Creates a push queue, stopped; call <see cref="WorkQueue{T}.StartAsync"/> to start its workers.</summary>
    /// <param name="handler">Runs one item; receives a token cancelled when a stop gives up draining.</param>
    /// <param name="workers">Workers running items concurrently (at least 1).</param>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="priorityFn">Computes an item's priority when a put gives none; default: 0. Higher runs first.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public PriorityWorkQueue(
        Func<T, CancellationToken, ValueTask> handler,
        int workers = 1,
        int maxSize = DefaultMaxSize,
        Func<T, int>? priorityFn = null,
        TimeProvider? timeProvider = null)
        : base(workers, maxSize, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _priorityFn = priorityFn;
        _buffer = new HeapBuffer<T>(maxSize, TimeProvider, timed: false);
    }

    /// <summary>Creates a pull queue: consumers take the item of highest priority first (<see cref="WorkQueue{T}.TakeAsync"/>); it has no workers.</summary>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="priorityFn">Computes an item's priority when a put gives none; default: 0. Higher is taken first.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is less than 1.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public PriorityWorkQueue(int maxSize = DefaultMaxSize, Func<T, int>? priorityFn = null, TimeProvider? timeProvider = null)
        : base(maxSize, timeProvider)
    {
        _priorityFn = priorityFn;
        _buffer = new HeapBuffer<T>(maxSize, TimeProvider, timed: false);
    }

    /// <inheritdoc/>
    public override int Count => _buffer.Count;

    /// <inheritdoc/>
    private protected override Task Drained => _buffer.Drained;

    /// <summary>Puts <paramref name="item"/>, waiting for room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="priority">Its priority (higher runs first); null: the priority function's value, or 0 without one.</param>
    /// <param name="cancellationToken">Cancels the wait for room.</param>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting for room.</exception>
    public ValueTask PutAsync(T item, int? priority = null, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(item, priority);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return _buffer.AddAsync(item, key, cancellationToken);
    }

    /// <summary>Puts <paramref name="item"/> if there is room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="priority">Its priority (higher runs first); null: the priority function's value, or 0 without one.</param>
    /// <returns>False when the queue is full.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    public bool TryPut(T item, int? priority = null) => _buffer.TryAdd(item, KeyOf(item, priority));

    /// <summary>Removes a waiting item (by reference), queued or still waiting for room (its put is cancelled with <paramref name="token"/>); used by <see cref="InvocationQueue"/> when a caller cancels.</summary>
    internal bool TryRemove(T item, CancellationToken token = default) => _buffer.TryRemove(item, token);

    private protected override bool TryTakeCore(out T item, out bool stopped) => _buffer.TryTake(out item, out stopped);

    private protected override ValueTask<(bool Ok, T Item)> TakeCoreAsync(CancellationToken cancellationToken) => _buffer.TakeAsync(cancellationToken);

    private protected override async Task RunWorkerAsync()
    {
        while (true)
        {
            var (ok, item) = await _buffer.TakeAsync().ConfigureAwait(false);
            if (!ok)
            {
                return;
            }

            await RunHandlerAsync(_handler!, item).ConfigureAwait(false);
        }
    }

    private protected override void CompleteAdding() => _buffer.CompleteAdding();

    private protected override IReadOnlyList<T> TakeAll() => _buffer.TakeAll();

    private protected override void OnStopped() => _buffer.Dispose();

    /// <summary>The heap key: the negated priority, so that the min-heap hands out the highest first.</summary>
    private long KeyOf(T item, int? priority)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        return -(long)(priority ?? _priorityFn?.Invoke(item) ?? 0);
    }
}
