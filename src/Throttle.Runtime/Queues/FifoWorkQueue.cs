using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A first-in, first-out work queue (README.md, "Queues and workers": a FIFO queue with a batch size of 1) on a bounded
/// <see cref="System.Threading.Channels.Channel{T}"/>. For batches use <see cref="BatchingWorkQueue{T}"/>. Created with a
/// handler it is a push queue (workers run the handler); without one, a pull queue (consumers take items in put order
/// with <see cref="WorkQueue{T}.TakeAsync"/>, <see cref="WorkQueue{T}.TryTake"/> or <see cref="WorkQueue{T}.ReadAllAsync"/>).
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class FifoWorkQueue<T> : WorkQueue<T>
{
    private readonly ChannelBuffer<T> _buffer;
    private readonly Func<T, CancellationToken, ValueTask>? _handler;

    /// <summary>Creates a push queue, stopped; call <see cref="WorkQueue{T}.StartAsync"/> to start its workers.</summary>
    /// <param name="handler">Runs one item; receives a token cancelled when a stop gives up draining.</param>
    /// <param name="workers">Workers running items concurrently (at least 1).</param>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public FifoWorkQueue(
        Func<T, CancellationToken, ValueTask> handler,
        int workers = 1,
        int maxSize = DefaultMaxSize,
        TimeProvider? timeProvider = null)
        : base(workers, maxSize, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <summary>Creates a pull queue: consumers take its items (<see cref="WorkQueue{T}.TakeAsync"/>); it has no workers.</summary>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is less than 1.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public FifoWorkQueue(int maxSize = DefaultMaxSize, TimeProvider? timeProvider = null)
        : base(maxSize, timeProvider)
    {
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <inheritdoc/>
    public override int Count => _buffer.Count;

    /// <inheritdoc/>
    private protected override Task Drained => _buffer.Drained;

    /// <summary>Puts <paramref name="item"/> at the end, waiting for room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the wait for room.</param>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting for room.</exception>
    public ValueTask PutAsync(T item, CancellationToken cancellationToken = default)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        return _buffer.AddAsync(item, cancellationToken);
    }

    /// <summary>Puts <paramref name="item"/> at the end if there is room.</summary>
    /// <param name="item">The item.</param>
    /// <returns>False when the queue is full.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    public bool TryPut(T item)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        return _buffer.TryAdd(item);
    }

    private protected override bool TryTakeCore(out T item, out bool stopped) => _buffer.TryTake(out item, out stopped);

    private protected override ValueTask<(bool Ok, T Item)> TakeCoreAsync(CancellationToken cancellationToken) => _buffer.TakeAsync(cancellationToken);

    private protected override async Task RunWorkerAsync()
    {
        var reader = _buffer.Reader;
        while (!_buffer.HandingBack && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (!_buffer.HandingBack && reader.TryRead(out var item))
            {
                await RunHandlerAsync(_handler!, item).ConfigureAwait(false);
            }
        }
    }

    private protected override void CompleteAdding() => _buffer.CompleteAdding();

    private protected override IReadOnlyList<T> TakeAll() => _buffer.TakeAll();
}
