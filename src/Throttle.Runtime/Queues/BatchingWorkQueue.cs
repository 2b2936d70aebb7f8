using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A first-in, first-out work queue whose workers hand items to a batch function (README.md, "Queues and
/// workers"): a worker takes the first waiting item, then collects
/// more until it holds <see cref="BatchSize"/> items or <see cref="BatchTimeout"/> has passed since it took the first;
/// then it calls the batch function with what it has (a partial batch after the timeout, or when a drain empties the queue).
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class BatchingWorkQueue<T> : WorkQueue<T>
{
    private readonly ChannelBuffer<T> _buffer;
    private readonly Func<IReadOnlyList<T>, CancellationToken, ValueTask> _batchFn;

    /// <summary>Creates a stopped queue; call <see cref="WorkQueue{T}.StartAsync"/> to start its workers.</summary>
    /// <param name="batchFn">Runs one batch (1 to <paramref name="batchSize"/> items, in put order); receives a token cancelled when a stop gives up draining.</param>
    /// <param name="batchSize">The most items in a batch (at least 1).</param>
    /// <param name="batchTimeout">How long a worker waits to fill a batch after its first item (zero or positive, finite).</param>
    /// <param name="workers">Workers collecting and running batches concurrently (at least 1).</param>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="timeProvider">The clock of the batch timeout; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="batchFn"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or the timeout is negative or infinite.</exception>
    public BatchingWorkQueue(
        Func<IReadOnlyList<T>, CancellationToken, ValueTask> batchFn,
        int batchSize,
        TimeSpan batchTimeout,
        int workers = 1,
        int maxSize = DefaultMaxSize,
        TimeProvider? timeProvider = null)
        : base(workers, maxSize, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(batchFn);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchTimeout = QueueGuard.Timeout(batchTimeout, nameof(batchTimeout));
        BatchSize = batchSize;
        _batchFn = batchFn;
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <summary>The most items in a batch.</summary>
    public int BatchSize { get; }

    /// <summary>How long a worker waits to fill a batch after its first item.</summary>
    public TimeSpan BatchTimeout { get; }

    /// <inheritdoc/>
    public override int Count => _buffer.Count;

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

    private protected override async Task RunWorkerAsync()
    {
        var reader = _buffer.Reader;
        while (!_buffer.HandingBack && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_buffer.HandingBack || !reader.TryRead(out var first))
            {
                continue;
            }

            var batch = new List<T>(Math.Min(BatchSize, 1024)) { first };
            CancellationTokenSource? timeout = null;
            try
            {
                while (batch.Count < BatchSize && !_buffer.HandingBack)
                {
                    if (reader.TryRead(out var next))
                    {
                        batch.Add(next);
                        continue;
                    }

                    // Wait for more, at most until the timeout since the batch's first item.
                    timeout ??= new CancellationTokenSource(BatchTimeout, TimeProvider);
                    try
                    {
                        if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                        {
                            break; // drained: send what we have
                        }
                    }
                    catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                    {
                        break; // timed out: send a partial batch
                    }
                }
            }
            finally
            {
                timeout?.Dispose();
            }

            await RunBatchHandlerAsync(_batchFn, batch).ConfigureAwait(false);
        }
    }

    private protected override void CompleteAdding() => _buffer.CompleteAdding();

    private protected override IReadOnlyList<T> TakeAll() => _buffer.TakeAll();
}
