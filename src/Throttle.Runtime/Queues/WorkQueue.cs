using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// What every Throttle work queue shares: a maximum size that applies back-pressure, a graceful stop, and one of two
/// ways to consume items. A <em>push</em> queue (created with a handler) has a fixed number of workers that run the
/// handler per item (or per batch); items may be put before <see cref="StartAsync"/> and wait until the workers start.
/// A <em>pull</em> queue (created without a handler, <see cref="CanTake"/> true) has no workers: consumers take items
/// with <see cref="TakeAsync"/>, <see cref="TryTake"/> or <see cref="ReadAllAsync"/>, in the order the queue's kind
/// defines (priority, due time, put order).
/// </summary>
/// <remarks>
/// <para>Safe for concurrent use. A handler's exception does not stop its worker: it is counted in
/// <see cref="FailedCount"/> and reported through <see cref="ItemFailed"/>.</para>
/// <para>Stopping a pull queue: <see cref="QueueStopMode.Drain"/> refuses puts and lets consumers take what is left (the
/// stop completes when the queue is empty, or hands the rest back when its token is cancelled);
/// <see cref="QueueStopMode.HandBack"/> returns what is left at once. A take on a stopped queue that holds nothing
/// throws <see cref="QueueStoppedException"/> at once (<see cref="ReadAllAsync"/> ends instead). A cancelled take
/// removes nothing: the item stays queued for the next consumer.</para>
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public abstract class WorkQueue<T> : IAsyncDisposable
{
    /// <summary>The default maximum size.</summary>
    public const int DefaultMaxSize = Throttle.Policies.QueuedOptions.DefaultMaxSize;

    private readonly object _gate = new();
    private readonly CancellationTokenSource _abort = new();
    private Task[]? _workers;
    private Task<IReadOnlyList<T>>? _stopping;
    private int _state;
    private long _processed;
    private long _failed;

    /// <summary>A push queue: <paramref name="workers"/> workers run the handler.</summary>
    private protected WorkQueue(int workers, int maxSize, TimeProvider? timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, Throttle.Policies.QueuedOptions.MinWorkers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, Throttle.Policies.QueuedOptions.MinMaxSize);
        Workers = workers;
        MaxSize = maxSize;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A pull queue: no workers; consumers take the items.</summary>
    private protected WorkQueue(int maxSize, TimeProvider? timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, Throttle.Policies.QueuedOptions.MinMaxSize);
        CanTake = true;
        MaxSize = maxSize;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised (on a worker thread) when a handler throws; exceptions thrown by subscribers are ignored.</summary>
    public event EventHandler<WorkFailedEventArgs<T>>? ItemFailed;

    /// <summary>How many workers run items concurrently (0 for a pull queue).</summary>
    public int Workers { get; }

    /// <summary>
    /// True for a pull queue (created without a handler): consumers take its items with <see cref="TakeAsync"/>,
    /// <see cref="TryTake"/> or <see cref="ReadAllAsync"/>, and it cannot be started. False for a push queue, whose
    /// workers run its handler; taking from it throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public bool CanTake { get; }

    /// <summary>The most items waiting at once; a put beyond it waits (<c>PutAsync</c>) or fails (<c>TryPut</c>).</summary>
    public int MaxSize { get; }

    /// <summary>The clock of timeouts and delays.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Items waiting (not yet taken by a worker or a consumer).</summary>
    public abstract int Count { get; }

    /// <summary>Where the queue is in its life cycle.</summary>
    public WorkQueueState State => (WorkQueueState)Volatile.Read(ref _state);

    /// <summary>Items (or batches) whose handler completed without an exception (a push queue's count; a pull queue runs no handler).</summary>
    public long ProcessedCount => Interlocked.Read(ref _processed);

    /// <summary>Items (or batches) whose handler threw.</summary>
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>
    /// Told about the items a stop takes back (hand-back, or a drain its token ended) as soon as it takes them, before
    /// the running handlers have returned: an owner can fail their callers at once rather than when the stop completes.
    /// </summary>
    internal Action<IReadOnlyList<T>>? HandedBack { get; set; }

    /// <summary>Cancelled when a stop's token cancels the drain: handlers running then should give up.</summary>
    private protected CancellationToken AbortToken => _abort.Token;

    /// <summary>Starts the workers of a push queue. Calling it again while running does nothing.</summary>
    /// <param name="cancellationToken">Checked before starting.</param>
    /// <exception cref="InvalidOperationException">The queue has been stopped, or it is a pull queue (<see cref="CanTake"/>): it has no workers.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (CanTake)
        {
            throw new InvalidOperationException(
                "This queue was created without a handler: consumers take its items with TakeAsync, TryTake or ReadAllAsync, and it has no workers to start.");
        }

        lock (_gate)
        {
            if (_state == (int)WorkQueueState.Running)
            {
                return Task.CompletedTask;
            }

            if (_state != (int)WorkQueueState.Created)
            {
                throw new InvalidOperationException("The queue has been stopped and cannot be started again; create a new queue.");
            }

            var workers = new Task[Workers];
            for (var i = 0; i < workers.Length; i++)
            {
                workers[i] = Task.Run(RunWorkerAsync, CancellationToken.None);
            }

            _workers = workers;
            Volatile.Write(ref _state, (int)WorkQueueState.Running);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the queue: puts are refused from now on (<see cref="QueueStoppedException"/>, also for the putters waiting
    /// for room), and the items that workers are running are finished. With <see cref="QueueStopMode.Drain"/> the
    /// workers (of a pull queue: its consumers) first take every waiting item; with <see cref="QueueStopMode.HandBack"/>
    /// nobody takes another and the waiting items are returned.
    /// </summary>
    /// <param name="mode">Drain the queue or hand back what it holds.</param>
    /// <param name="cancellationToken">
    /// Bounds a drain: when it is cancelled, the items not yet taken are handed back, the token passed to the running
    /// handlers is cancelled, and the stop completes when those handlers return.
    /// </param>
    /// <returns>The items that were put but never run or taken, in the order they would have been.</returns>
    /// <remarks>
    /// A second call returns the first call's task. A push queue that was never started runs nothing: everything is
    /// handed back. A pull queue's drain completes when consumers have taken the last item; once it holds nothing,
    /// <see cref="TakeAsync"/> and <see cref="TryTake"/> throw <see cref="QueueStoppedException"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not defined.</exception>
    public Task<IReadOnlyList<T>> StopAsync(QueueStopMode mode = QueueStopMode.Drain, CancellationToken cancellationToken = default)
    {
        if (mode is not (QueueStopMode.Drain or QueueStopMode.HandBack))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown stop mode.");
        }

        lock (_gate)
        {
            if (_stopping is null)
            {
                Volatile.Write(ref _state, (int)WorkQueueState.Stopping);
                _stopping = StopCoreAsync(mode, _workers, cancellationToken);
            }

            return _stopping;
        }
    }

    /// <summary>
    /// Stops the queue: a push queue drains (<see cref="StopAsync"/> with <see cref="QueueStopMode.Drain"/>); a pull
    /// queue, which has nobody to drain into, hands back (discards) what it holds unless a stop is already under way,
    /// which it awaits. To let consumers empty a pull queue, call <c>StopAsync(QueueStopMode.Drain)</c> first.
    /// </summary>
    /// <returns>A task that completes when the queue has stopped (every worker has exited).</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CanTake ? QueueStopMode.HandBack : QueueStopMode.Drain).ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Takes the next item of a pull queue, waiting until there is one (for a delay queue: until one is due, on
    /// <see cref="TimeProvider"/>). Taking frees a slot: the oldest putter waiting for room gets in.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; a cancelled take removes nothing (the item stays queued).</param>
    /// <returns>The item, in the queue's order (priority, due time, or put order).</returns>
    /// <exception cref="InvalidOperationException">This is a push queue (created with a handler; <see cref="CanTake"/> is false).</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped and holds no more items (at once, or when a stop empties it while waiting).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before an item was taken.</exception>
    public ValueTask<T> TakeAsync(CancellationToken cancellationToken = default)
    {
        EnsureCanTake();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        var pending = TakeCoreAsync(cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var (ok, item) = pending.Result;
            return ok ? new ValueTask<T>(item) : throw QueueStoppedException.NothingToTake();
        }

        return AwaitTakeAsync(pending);
    }

    /// <summary>Takes the next item of a pull queue if one may be taken now (for a delay queue: is due).</summary>
    /// <param name="item">The item, when the result is true.</param>
    /// <returns>False when the queue holds no item that may be taken now.</returns>
    /// <exception cref="InvalidOperationException">This is a push queue (created with a handler; <see cref="CanTake"/> is false).</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped and holds no more items.</exception>
    public bool TryTake([MaybeNullWhen(false)] out T item)
    {
        EnsureCanTake();
        if (TryTakeCore(out item, out var stopped))
        {
            return true;
        }

        return stopped ? throw QueueStoppedException.NothingToTake() : false;
    }

    /// <summary>
    /// Reads every item of a pull queue as it can be taken, in the idiom of
    /// <see cref="System.Threading.Channels.ChannelReader{T}.ReadAllAsync"/>: each item is taken (removed) as it is
    /// yielded, and several readers share the items. The sequence ends when the queue has been stopped and holds no
    /// more items.
    /// </summary>
    /// <param name="cancellationToken">Ends the reading with <see cref="OperationCanceledException"/>; the item being waited for stays queued.</param>
    /// <returns>The items, in the queue's order.</returns>
    /// <exception cref="InvalidOperationException">This is a push queue (created with a handler; <see cref="CanTake"/> is false).</exception>
    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        EnsureCanTake();
        return ReadAllCoreAsync(cancellationToken);
    }

    /// <summary>Throws unless this is a pull queue.</summary>
    private protected void EnsureCanTake()
    {
        if (!CanTake)
        {
            throw new InvalidOperationException(
                "This queue runs its items on workers (it was created with a handler), so they cannot be taken; create the queue without a handler to take items with TakeAsync, TryTake or ReadAllAsync.");
        }
    }

    private static async ValueTask<T> AwaitTakeAsync(ValueTask<(bool Ok, T Item)> pending)
    {
        var (ok, item) = await pending.ConfigureAwait(false);
        return ok ? item : throw QueueStoppedException.NothingToTake();
    }

    private async IAsyncEnumerable<T> ReadAllCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (ok, item) = await TakeCoreAsync(cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                yield break;
            }

            yield return item;
        }
    }

    /// <summary>Takes an item that may be taken now; false with <paramref name="stopped"/> when the queue is stopped and empty.</summary>
    private protected abstract bool TryTakeCore(out T item, out bool stopped);

    /// <summary>Waits for an item; Ok false once the queue is stopped and empty. Cancelling removes nothing.</summary>
    private protected abstract ValueTask<(bool Ok, T Item)> TakeCoreAsync(CancellationToken cancellationToken);

    /// <summary>Completes when the queue accepts no more items and holds none.</summary>
    private protected abstract Task Drained { get; }

    /// <summary>One worker's loop; returns when the queue is drained or closed.</summary>
    private protected abstract Task RunWorkerAsync();

    /// <summary>Refuses further puts and lets workers finish what is queued.</summary>
    private protected abstract void CompleteAdding();

    /// <summary>Refuses further puts, makes workers exit after their current item, and removes what is queued.</summary>
    private protected abstract IReadOnlyList<T> TakeAll();

    /// <summary>Releases timers and other resources once every worker has exited.</summary>
    private protected virtual void OnStopped()
    {
    }

    /// <summary>Runs <paramref name="handler"/> on <paramref name="item"/>, counting and reporting a failure.</summary>
    private protected async ValueTask RunHandlerAsync(Func<T, CancellationToken, ValueTask> handler, T item)
    {
        try
        {
            await handler(item, _abort.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _processed);
        }
#pragma warning disable CA1031 // A handler's failure must not kill its worker; it is reported instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ReportFailure([item], ex);
        }
    }

    /// <summary>Runs <paramref name="handler"/> on a batch, counting and reporting a failure.</summary>
    private protected async ValueTask RunBatchHandlerAsync(Func<IReadOnlyList<T>, CancellationToken, ValueTask> handler, IReadOnlyList<T> batch)
    {
        try
        {
            await handler(batch, _abort.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _processed);
        }
#pragma warning disable CA1031 // A handler's failure must not kill its worker; it is reported instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ReportFailure(batch, ex);
        }
    }

    private void ReportFailure(IReadOnlyList<T> items, Exception exception)
    {
        Interlocked.Increment(ref _failed);
        try
        {
            ItemFailed?.Invoke(this, new WorkFailedEventArgs<T>(items, exception));
        }
#pragma warning disable CA1031 // A subscriber's failure must not kill the worker.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task<IReadOnlyList<T>> StopCoreAsync(QueueStopMode mode, Task[]? workers, CancellationToken cancellationToken)
    {
        var leftovers = new List<T>();
        if (CanTake && mode == QueueStopMode.Drain)
        {
            // Nobody here runs the items: the consumers take the rest; the drain ends when they have.
            CompleteAdding();
            try
            {
                await Drained.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                var taken = TakeAll();
                leftovers.AddRange(taken);
                HandedBack?.Invoke(taken);
            }
        }
        else if (workers is null || mode == QueueStopMode.HandBack)
        {
            leftovers.AddRange(TakeAll());
            HandedBack?.Invoke(leftovers);
        }
        else
        {
            CompleteAdding();
        }

        if (workers is not null)
        {
            var all = Task.WhenAll(workers);
            try
            {
                await all.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The drain ran out of time: hand back the rest and ask running handlers to give up.
                var taken = TakeAll();
                leftovers.AddRange(taken);
                HandedBack?.Invoke(taken);
                await _abort.CancelAsync().ConfigureAwait(false);
                await all.ConfigureAwait(false);
            }
        }

        OnStopped();
        Volatile.Write(ref _state, (int)WorkQueueState.Stopped);
        return leftovers;
    }
}
