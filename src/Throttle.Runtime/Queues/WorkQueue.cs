using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// What every Throttle work queue shares: a fixed number of workers that run a handler per item (or per batch), a
/// maximum size that applies back-pressure, and a graceful stop. Items may be put before <see cref="StartAsync"/>;
/// they wait until the workers start.
/// </summary>
/// <remarks>
/// Safe for concurrent use. A handler's exception does not stop its worker: it is counted in
/// <see cref="FailedCount"/> and reported through <see cref="ItemFailed"/>.
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

    private protected WorkQueue(int workers, int maxSize, TimeProvider? timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, Throttle.Policies.QueuedOptions.MinWorkers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, Throttle.Policies.QueuedOptions.MinMaxSize);
        Workers = workers;
        MaxSize = maxSize;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised (on a worker thread) when a handler throws; exceptions thrown by subscribers are ignored.</summary>
    public event EventHandler<WorkFailedEventArgs<T>>? ItemFailed;

    /// <summary>How many workers run items concurrently.</summary>
    public int Workers { get; }

    /// <summary>The most items waiting at once; a put beyond it waits (<c>PutAsync</c>) or fails (<c>TryPut</c>).</summary>
    public int MaxSize { get; }

    /// <summary>The clock of timeouts and delays.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Items waiting (not yet taken by a worker).</summary>
    public abstract int Count { get; }

    /// <summary>Where the queue is in its life cycle.</summary>
    public WorkQueueState State => (WorkQueueState)Volatile.Read(ref _state);

    /// <summary>Items (or batches) whose handler completed without an exception.</summary>
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

    /// <summary>Starts the workers. Calling it again while running does nothing.</summary>
    /// <param name="cancellationToken">Checked before starting.</param>
    /// <exception cref="InvalidOperationException">The queue has been stopped.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
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
    /// Stops the queue: puts are refused from now on (<see cref="QueueStoppedException"/>), and the items that workers
    /// are running are finished. With <see cref="QueueStopMode.Drain"/> the workers first run every waiting item; with
    /// <see cref="QueueStopMode.HandBack"/> they take no more and the waiting items are returned.
    /// </summary>
    /// <param name="mode">Drain the queue or hand back what it holds.</param>
    /// <param name="cancellationToken">
    /// Bounds a drain: when it is cancelled, the items not yet taken are handed back, the token passed to the running
    /// handlers is cancelled, and the stop completes when those handlers return.
    /// </param>
    /// <returns>The items that were put but never run (never started: all of them), in the order they would have run.</returns>
    /// <remarks>A second call returns the first call's task. A queue that was never started runs nothing: everything is handed back.</remarks>
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

    /// <summary>Stops the queue, draining it (<see cref="StopAsync"/> with <see cref="QueueStopMode.Drain"/>).</summary>
    /// <returns>A task that completes when every worker has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(QueueStopMode.Drain).ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

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
        if (workers is null || mode == QueueStopMode.HandBack)
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
