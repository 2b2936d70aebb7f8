using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A work queue whose items run at their due time (README.md, "Queues and workers"): a heap ordered by due time, and
/// workers that sleep on one <see cref="System.TimeProvider"/> timer set to the earliest due time (no polling). Items
/// due at the same instant run in the order they were put. A drain waits for the remaining items' due times. Created
/// with a handler it is a push queue; without one, a pull queue whose consumers take items in the same order, none
/// before it is due (<see cref="WorkQueue{T}.TakeAsync"/> waits on the queue's clock; <see cref="WorkQueue{T}.TryTake"/>
/// returns false while nothing is due).
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class DelayWorkQueue<T> : WorkQueue<T>
{
    private readonly HeapBuffer<T> _buffer;
    private readonly Func<T, CancellationToken, ValueTask>? _handler;

    /// <summary>Creates a push queue, stopped; call <see cref="WorkQueue{T}.StartAsync"/> to start its workers.</summary>
    /// <param name="handler">Runs one item; receives a token cancelled when a stop gives up draining.</param>
    /// <param name="workers">Workers running items concurrently (at least 1).</param>
    /// <param name="maxSize">The most items waiting at once, due or not (at least 1).</param>
    /// <param name="timeProvider">The clock of due times; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public DelayWorkQueue(
        Func<T, CancellationToken, ValueTask> handler,
        int workers = 1,
        int maxSize = DefaultMaxSize,
        TimeProvider? timeProvider = null)
        : base(workers, maxSize, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _buffer = new HeapBuffer<T>(maxSize, TimeProvider, timed: true);
    }

    /// <summary>
    /// Creates a pull queue: consumers take items in due-time order, each once it is due (<see cref="WorkQueue{T}.TakeAsync"/>
    /// waits on <paramref name="timeProvider"/> for the earliest); it has no workers.
    /// </summary>
    /// <param name="maxSize">The most items waiting at once, due or not (at least 1).</param>
    /// <param name="timeProvider">The clock of due times; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is less than 1.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public DelayWorkQueue(int maxSize = DefaultMaxSize, TimeProvider? timeProvider = null)
        : base(maxSize, timeProvider)
    {
        _buffer = new HeapBuffer<T>(maxSize, TimeProvider, timed: true);
    }

    /// <inheritdoc/>
    public override int Count => _buffer.Count;

    /// <inheritdoc/>
    private protected override Task Drained => _buffer.Drained;

    /// <summary>Puts <paramref name="item"/> to run after <paramref name="delay"/>, waiting for room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="delay">How long from now the item becomes due; default (zero): now.</param>
    /// <param name="cancellationToken">Cancels the wait for room.</param>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative (or infinite).</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting for room.</exception>
    public ValueTask PutAsync(T item, TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        var due = DueTicks(item, delay);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return _buffer.AddAsync(item, due, cancellationToken);
    }

    /// <summary>Puts <paramref name="item"/> to run after <paramref name="delay"/> if there is room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="delay">How long from now the item becomes due; default (zero): now.</param>
    /// <returns>False when the queue is full.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative (or infinite).</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    public bool TryPut(T item, TimeSpan delay = default) => _buffer.TryAdd(item, DueTicks(item, delay));

    /// <summary>Removes a waiting item (by reference), due or not, or still waiting for room; used by <see cref="InvocationQueue"/> when a caller cancels.</summary>
    internal bool TryRemove(T item, CancellationToken token = default) => _buffer.TryRemove(item, token);

    private long DueTicks(T item, TimeSpan delay)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        var now = TimeProvider.GetUtcNow().UtcTicks;
        return now + QueueGuard.Delay(delay, now, nameof(delay)).Ticks;
    }

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
}
