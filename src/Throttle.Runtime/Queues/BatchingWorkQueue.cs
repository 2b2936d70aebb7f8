using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A first-in, first-out work queue that hands items out in batches (README.md, "Queues and workers"; the spec's
/// <c>FIFOQueue</c> with <c>batch_size</c>, <c>batch_timeout</c> and <c>batch_fn</c>): a worker takes the first waiting
/// item, then collects more until it holds <see cref="BatchSize"/> items or <see cref="BatchTimeout"/> has passed since it
/// took the first; then it calls the batch function with what it has (a partial batch after the timeout, or when a
/// drain empties the queue). Created without a batch function it is a pull queue: <see cref="TakeBatchAsync"/> and
/// <see cref="ReadAllBatchesAsync"/> collect batches the same way, and <see cref="WorkQueue{T}.TakeAsync"/> takes single items.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class BatchingWorkQueue<T> : WorkQueue<T>
{
    /// <summary>The default batch size: 1 (the spec's <c>batch_size = 1</c>).</summary>
    public const int DefaultBatchSize = 1;

    /// <summary>The default batch timeout: 1 second (the spec's <c>batch_timeout = 1.0</c>).</summary>
    public static readonly TimeSpan DefaultBatchTimeout = TimeSpan.FromSeconds(1);

    private readonly ChannelBuffer<T> _buffer;
    private readonly Func<IReadOnlyList<T>, CancellationToken, ValueTask>? _batchFn;

    /// <summary>Creates a push queue, stopped; call <see cref="WorkQueue{T}.StartAsync"/> to start its workers.</summary>
    /// <param name="batchFn">Runs one batch (1 to <paramref name="batchSize"/> items, in put order); receives a token cancelled when a stop gives up draining.</param>
    /// <param name="batchSize">The most items in a batch (at least 1); default <see cref="DefaultBatchSize"/>.</param>
    /// <param name="batchTimeout">How long a worker waits to fill a batch after its first item (zero or positive, finite); default <see cref="DefaultBatchTimeout"/>.</param>
    /// <param name="workers">Workers collecting and running batches concurrently (at least 1).</param>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="timeProvider">The clock of the batch timeout; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="batchFn"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or the timeout is negative or infinite.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public BatchingWorkQueue(
        Func<IReadOnlyList<T>, CancellationToken, ValueTask> batchFn,
        int batchSize = DefaultBatchSize,
        TimeSpan? batchTimeout = null,
        int workers = 1,
        int maxSize = DefaultMaxSize,
        TimeProvider? timeProvider = null)
        : base(workers, maxSize, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(batchFn);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchTimeout = QueueGuard.Timeout(batchTimeout ?? DefaultBatchTimeout, nameof(batchTimeout));
        BatchSize = batchSize;
        _batchFn = batchFn;
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <summary>Creates a pull queue: consumers take batches (<see cref="TakeBatchAsync"/>) or single items; it has no workers.</summary>
    /// <param name="batchSize">The most items in a batch (at least 1); default <see cref="DefaultBatchSize"/>.</param>
    /// <param name="batchTimeout">How long a batch take waits to fill a batch after its first item (zero or positive, finite); default <see cref="DefaultBatchTimeout"/>.</param>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="timeProvider">The clock of the batch timeout; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or the timeout is negative or infinite.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public BatchingWorkQueue(
        int batchSize = DefaultBatchSize,
        TimeSpan? batchTimeout = null,
        int maxSize = DefaultMaxSize,
        TimeProvider? timeProvider = null)
        : base(maxSize, timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchTimeout = QueueGuard.Timeout(batchTimeout ?? DefaultBatchTimeout, nameof(batchTimeout));
        BatchSize = batchSize;
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <summary>The most items in a batch.</summary>
    public int BatchSize { get; }

    /// <summary>How long a worker (or a batch take) waits to fill a batch after its first item.</summary>
    public TimeSpan BatchTimeout { get; }

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

    /// <summary>
    /// Takes the next batch of a pull queue as a worker would: waits for a first item, then collects more until the
    /// batch holds <see cref="BatchSize"/> items or <see cref="BatchTimeout"/> has passed since the first (on
    /// <see cref="WorkQueue{T}.TimeProvider"/>), or the stopped queue is empty.
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancels the wait for the first item (nothing is taken: <see cref="OperationCanceledException"/>); once the batch
    /// has items, cancelling ends the collecting and returns what it holds (an item taken is never lost).
    /// </param>
    /// <returns>1 to <see cref="BatchSize"/> items, in put order.</returns>
    /// <exception cref="InvalidOperationException">This is a push queue (created with a batch function).</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped and holds no more items.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the first item was taken.</exception>
    public async ValueTask<IReadOnlyList<T>> TakeBatchAsync(CancellationToken cancellationToken = default)
    {
        EnsureCanTake();
        cancellationToken.ThrowIfCancellationRequested();
        return await TakeBatchCoreAsync(cancellationToken).ConfigureAwait(false) ?? throw QueueStoppedException.NothingToTake();
    }

    /// <summary>Takes up to <see cref="BatchSize"/> items of a pull queue that are waiting now, without waiting for more.</summary>
    /// <param name="batch">1 to <see cref="BatchSize"/> items in put order, when the result is true.</param>
    /// <returns>False when no item is waiting.</returns>
    /// <exception cref="InvalidOperationException">This is a push queue (created with a batch function).</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped and holds no more items.</exception>
    public bool TryTakeBatch([NotNullWhen(true)] out IReadOnlyList<T>? batch)
    {
        EnsureCanTake();
        if (!_buffer.TryTake(out var first, out var stopped))
        {
            batch = null;
            return stopped ? throw QueueStoppedException.NothingToTake() : false;
        }

        var items = new List<T>(Math.Min(BatchSize, 1024)) { first };
        while (items.Count < BatchSize && _buffer.TryTake(out var next, out _))
        {
            items.Add(next);
        }

        batch = items;
        return true;
    }

    /// <summary>
    /// Reads the batches of a pull queue as <see cref="TakeBatchAsync"/> collects them; the sequence ends when the
    /// queue has been stopped and holds no more items.
    /// </summary>
    /// <param name="cancellationToken">Ends the reading (<see cref="OperationCanceledException"/> while waiting for a batch's first item; a batch being filled is yielded first).</param>
    /// <returns>The batches, in put order.</returns>
    /// <exception cref="InvalidOperationException">This is a push queue (created with a batch function).</exception>
    public IAsyncEnumerable<IReadOnlyList<T>> ReadAllBatchesAsync(CancellationToken cancellationToken = default)
    {
        EnsureCanTake();
        return ReadAllBatchesCoreAsync(cancellationToken);
    }

    private async IAsyncEnumerable<IReadOnlyList<T>> ReadAllBatchesCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await TakeBatchCoreAsync(cancellationToken).ConfigureAwait(false);
            if (batch is null)
            {
                yield break;
            }

            yield return batch;
        }
    }

    /// <summary>One batch: null when the queue is stopped and empty (or handing back) before a first item.</summary>
    private async ValueTask<List<T>?> TakeBatchCoreAsync(CancellationToken cancellationToken)
    {
        var (ok, first) = await _buffer.TakeAsync(cancellationToken).ConfigureAwait(false);
        if (!ok)
        {
            return null;
        }

        var batch = new List<T>(Math.Min(BatchSize, 1024)) { first };
        await FillAsync(batch, cancellationToken).ConfigureAwait(false);
        return batch;
    }

    /// <summary>
    /// Adds items to <paramref name="batch"/> (which holds its first) until it is full, <see cref="BatchTimeout"/> has
    /// passed since the first, the queue is drained or handing back, or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    private async ValueTask FillAsync(List<T> batch, CancellationToken cancellationToken)
    {
        var reader = _buffer.Reader;
        CancellationTokenSource? timeout = null;
        CancellationTokenRegistration cancelled = default;
        try
        {
            while (batch.Count < BatchSize && !_buffer.HandingBack)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    continue;
                }

                // Wait for more, at most until the timeout since the batch's first item (or the caller gives up).
                if (timeout is null)
                {
                    timeout = new CancellationTokenSource(BatchTimeout, TimeProvider);
                    if (cancellationToken.CanBeCanceled)
                    {
                        cancelled = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
                    }
                }

                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break; // drained: send what we have
                    }
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    break; // timed out (or cancelled): a partial batch, never items dropped
                }
            }
        }
        finally
        {
            await cancelled.DisposeAsync().ConfigureAwait(false);
            timeout?.Dispose();
        }
    }

    private protected override bool TryTakeCore(out T item, out bool stopped) => _buffer.TryTake(out item, out stopped);

    private protected override ValueTask<(bool Ok, T Item)> TakeCoreAsync(CancellationToken cancellationToken) => _buffer.TakeAsync(cancellationToken);

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
            await FillAsync(batch, CancellationToken.None).ConfigureAwait(false);
            await RunBatchHandlerAsync(_batchFn!, batch).ConfigureAwait(false);
        }
    }

    private protected override void CompleteAdding() => _buffer.CompleteAdding();

    private protected override IReadOnlyList<T> TakeAll() => _buffer.TakeAll();
}
