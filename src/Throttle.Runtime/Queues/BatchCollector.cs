using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// Collects items and hands them to a callback in batches (README.md, "Queues and workers"): a batch is flushed when
/// <see cref="BatchSize"/> items are held, or when <see cref="Timeout"/> has passed since the last flush (a
/// <see cref="System.TimeProvider"/> timer, restarted by every flush), and whatever is held is flushed on
/// <see cref="DisposeAsync"/>. Callbacks run one at a time, batches in the order their items were added.
/// </summary>
/// <remarks>
/// A callback exception from a size flush reaches the <see cref="AddAsync"/> (or <see cref="FlushAsync"/>) that
/// triggered it; from a timer flush it is reported through <see cref="FlushFailed"/>. Either way that batch is dropped.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
public sealed class BatchCollector<T> : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly Func<IReadOnlyList<T>, CancellationToken, ValueTask> _callback;
    private readonly ITimer _timer;
    private List<T> _items = [];
    private bool _disposed;

    /// <summary>Creates the collector and starts its timeout timer.</summary>
    /// <param name="batchSize">Items per batch (at least 1).</param>
    /// <param name="timeout">Longest time between flushes while items are held (positive, finite).</param>
    /// <param name="callback">Receives each batch (1 to <paramref name="batchSize"/> items).</param>
    /// <param name="timeProvider">The clock of the timeout; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1, or <paramref name="timeout"/> is not positive and finite.</exception>
    public BatchCollector(int batchSize, TimeSpan timeout, Func<IReadOnlyList<T>, CancellationToken, ValueTask> callback, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(callback);
        Timeout = QueueGuard.Positive(timeout, nameof(timeout));
        BatchSize = batchSize;
        _callback = callback;
        _timer = (timeProvider ?? TimeProvider.System).CreateTimer(
            static state => ((BatchCollector<T>)state!).OnTimer(), this, Timeout, Timeout);
    }

    /// <summary>Raised when a flush started by the timer fails; exceptions thrown by subscribers are ignored.</summary>
    public event EventHandler<WorkFailedEventArgs<T>>? FlushFailed;

    /// <summary>Items per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Longest time between flushes while items are held.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Items held, not yet flushed.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds <paramref name="item"/>; when that makes a full batch, flushes it before returning.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Passed to the callback; cancels waiting for a flush in progress.</param>
    /// <returns>Completes at once, or when the full batch was flushed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The collector was disposed.</exception>
    public ValueTask AddAsync(T item, CancellationToken cancellationToken = default)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        bool full;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _items.Add(item);
            full = _items.Count >= BatchSize;
        }

        return full ? new ValueTask(FlushCoreAsync(fullOnly: true, cancellationToken)) : default;
    }

    /// <summary>Flushes everything held now, in batches of at most <see cref="BatchSize"/>.</summary>
    /// <param name="cancellationToken">Passed to the callback; cancels waiting for a flush in progress.</param>
    /// <returns>Completes when the batches were handed over.</returns>
    public Task FlushAsync(CancellationToken cancellationToken = default) => FlushCoreAsync(fullOnly: false, cancellationToken);

    /// <summary>Stops the timer and flushes whatever is held.</summary>
    /// <returns>Completes when the last batch was handed over.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
        }

        await FlushCoreAsync(fullOnly: false, CancellationToken.None).ConfigureAwait(false);
    }

    private void OnTimer() => _ = FlushCoreAsync(fullOnly: false, CancellationToken.None, fromTimer: true);

    private async Task FlushCoreAsync(bool fullOnly, CancellationToken cancellationToken, bool fromTimer = false)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                List<T> batch;
                lock (_lock)
                {
                    if (_items.Count == 0 || (fullOnly && _items.Count < BatchSize))
                    {
                        return;
                    }

                    if (_items.Count <= BatchSize)
                    {
                        batch = _items;
                        _items = [];
                    }
                    else
                    {
                        batch = _items.GetRange(0, BatchSize);
                        _items.RemoveRange(0, BatchSize);
                    }

                    // "Since the last flush": every flush restarts the timeout (unless disposing stopped the timer).
                    if (!_disposed)
                    {
                        _timer.Change(Timeout, Timeout);
                    }
                }

                try
                {
                    await _callback(batch, cancellationToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Nobody awaits a timer flush: its failure is reported, not thrown.
                catch (Exception ex) when (fromTimer)
#pragma warning restore CA1031
                {
                    ReportFailure(batch, ex);
                }
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    private void ReportFailure(IReadOnlyList<T> batch, Exception exception)
    {
        try
        {
            FlushFailed?.Invoke(this, new WorkFailedEventArgs<T>(batch, exception));
        }
#pragma warning disable CA1031 // A subscriber's failure must not escape the timer.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
