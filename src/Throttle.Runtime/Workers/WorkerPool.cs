using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Throttle.Queues;

namespace Throttle.Workers;

/// <summary>
/// A pool of workers that run submitted tasks in order and scales itself (README.md, "Queues and workers"). Every
/// <see cref="CheckInterval"/> (a <see cref="System.TimeProvider"/> timer) it computes
/// <c>load = QueueLength / WorkerCount</c>; if <c>load &gt; ScaleUpThreshold</c> it adds one worker, else if
/// <c>load &lt; ScaleDownThreshold</c> it removes one, always within [<see cref="MinWorkers"/>, <see cref="MaxWorkers"/>].
/// A removed worker exits after the task it is running. Each change raises <see cref="Scaled"/>.
/// </summary>
/// <remarks>Safe for concurrent use. <see cref="DisposeAsync"/> runs every submitted task, then stops the workers.</remarks>
public sealed class WorkerPool : IAsyncDisposable, IDisposable
{
    private static readonly QueuedInvocation Retire = new RetireSignal();

    private readonly object _lock = new();
    private readonly Channel<QueuedInvocation> _channel = Channel.CreateUnbounded<QueuedInvocation>(new UnboundedChannelOptions { SingleReader = false });
    private readonly List<Task> _workers = [];
    private readonly ITimer _timer;
    private int _workerCount;
    private int _queued;
    private long _scaleUps;
    private long _scaleDowns;
    private Task? _disposing;

    /// <summary>Creates the pool with <paramref name="minWorkers"/> workers and starts its scaling timer.</summary>
    /// <param name="minWorkers">The fewest workers (at least 1).</param>
    /// <param name="maxWorkers">The most workers (at least <paramref name="minWorkers"/>).</param>
    /// <param name="scaleUpThreshold">Add a worker when the load is above this (finite, at least <paramref name="scaleDownThreshold"/>).</param>
    /// <param name="scaleDownThreshold">Remove a worker when the load is below this (finite, zero or positive).</param>
    /// <param name="checkInterval">How often the load is checked (positive, finite); default 5 seconds.</param>
    /// <param name="timeProvider">The clock of the checks; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range (see each parameter).</exception>
    public WorkerPool(
        int minWorkers = 1,
        int maxWorkers = 10,
        double scaleUpThreshold = 0.8,
        double scaleDownThreshold = 0.2,
        TimeSpan? checkInterval = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minWorkers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, minWorkers);
        if (!(scaleDownThreshold >= 0) || double.IsInfinity(scaleDownThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleDownThreshold), scaleDownThreshold, "scaleDownThreshold must be zero or positive, and finite.");
        }

        if (!(scaleUpThreshold >= scaleDownThreshold) || double.IsInfinity(scaleUpThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleUpThreshold), scaleUpThreshold, "scaleUpThreshold must be finite and at least scaleDownThreshold.");
        }

        MinWorkers = minWorkers;
        MaxWorkers = maxWorkers;
        ScaleUpThreshold = scaleUpThreshold;
        ScaleDownThreshold = scaleDownThreshold;
        CheckInterval = checkInterval is { } interval ? QueueGuard.Positive(interval, nameof(checkInterval)) : TimeSpan.FromSeconds(5);
        lock (_lock)
        {
            for (var i = 0; i < minWorkers; i++)
            {
                AddWorker();
            }
        }

        _timer = (timeProvider ?? TimeProvider.System).CreateTimer(static state => ((WorkerPool)state!).Check(), this, CheckInterval, CheckInterval);
    }

    /// <summary>Raised (on the timer's thread) after a check changed the number of workers; exceptions thrown by subscribers are ignored.</summary>
    public event EventHandler<WorkerPoolScaledEventArgs>? Scaled;

    /// <summary>The fewest workers.</summary>
    public int MinWorkers { get; }

    /// <summary>The most workers.</summary>
    public int MaxWorkers { get; }

    /// <summary>A load above this adds a worker.</summary>
    public double ScaleUpThreshold { get; }

    /// <summary>A load below this removes a worker.</summary>
    public double ScaleDownThreshold { get; }

    /// <summary>How often the load is checked.</summary>
    public TimeSpan CheckInterval { get; }

    /// <summary>The number of workers the pool has now (a removed worker no longer counts, though it may be finishing a task).</summary>
    public int WorkerCount => Volatile.Read(ref _workerCount);

    /// <summary>Submitted tasks that no worker has started yet.</summary>
    public int QueueLength => Volatile.Read(ref _queued);

    /// <summary>How many checks added a worker.</summary>
    public long ScaleUpCount => Interlocked.Read(ref _scaleUps);

    /// <summary>How many checks removed a worker.</summary>
    public long ScaleDownCount => Interlocked.Read(ref _scaleDowns);

    /// <summary>Submits <paramref name="func"/>; a worker runs it after the tasks submitted before it.</summary>
    /// <typeparam name="TResult">The result.</typeparam>
    /// <param name="func">The task; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the task if it has not started; passed to it when it runs.</param>
    /// <returns>The task's result or exception; cancelled if the token was cancelled before it started.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The function's shape (with or without a result) tells the overloads apart, so no call is ambiguous.")]
    public Task<TResult> SubmitAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> func, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var invocation = new QueuedInvocation<Func<CancellationToken, ValueTask<TResult>>, TResult>(func, static (f, ct) => f(ct), cancellationToken);
        Submit(invocation, invocation.Task);
        return invocation.Task;
    }

    /// <summary>Submits <paramref name="func"/>, work without a result (the spec's <c>submit</c> of a function that returns nothing); a worker runs it after the tasks submitted before it.</summary>
    /// <param name="func">The task; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the task if it has not started; passed to it when it runs.</param>
    /// <returns>Completes when the task did, with its exception if it threw; cancelled if the token was cancelled before it started.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The function's shape (with or without a result) tells the overloads apart, so no call is ambiguous.")]
    public Task SubmitAsync(Func<CancellationToken, ValueTask> func, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var invocation = new QueuedInvocation<Func<CancellationToken, ValueTask>>(func, static (f, ct) => f(ct), cancellationToken);
        Submit(invocation, invocation.Task);
        return invocation.Task;
    }

    /// <summary>Queues <paramref name="invocation"/> for a worker, or abandons it and throws when the pool was disposed.</summary>
    private void Submit(QueuedInvocation invocation, Task completion)
    {
        // Listen before writing: a worker may run the task at once, and then it stops listening itself.
        invocation.WatchCancellation(null);
        Interlocked.Increment(ref _queued);
        if (!_channel.Writer.TryWrite(invocation))
        {
            Interlocked.Decrement(ref _queued);
            var disposed = new ObjectDisposedException(nameof(WorkerPool), "The worker pool was disposed; it accepts no more tasks.");
            invocation.Abandon(disposed);

            // The caller gets the exception thrown, never the task: observe it, or the finalizer reports it as unobserved.
            _ = completion.Exception;
            throw disposed;
        }
    }

    /// <summary>Stops the scaling timer, runs every task already submitted, and waits for the workers to exit.</summary>
    /// <returns>Completes when every worker has exited.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposing ??= DisposeCoreAsync();
            return new ValueTask(_disposing);
        }
    }

    /// <summary>Does what <see cref="DisposeAsync"/> does, blocking the thread until every worker has exited.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One scaling decision, by the scaling rule of README.md, "Queues and workers" (the timer calls it every <see cref="CheckInterval"/>).</summary>
    internal void Check()
    {
        WorkerPoolScaledEventArgs? change = null;
        lock (_lock)
        {
            if (_disposing is not null)
            {
                return;
            }

            var workers = _workerCount;
            var queued = QueueLength;
            var load = (double)queued / workers;
            if (load > ScaleUpThreshold && workers < MaxWorkers)
            {
                AddWorker();
                Interlocked.Increment(ref _scaleUps);
                change = new WorkerPoolScaledEventArgs(workers, workers + 1, queued, load);
            }
            else if (load < ScaleDownThreshold && workers > MinWorkers)
            {
                // A retire signal: the worker that reads it exits (after the task it was running).
                Volatile.Write(ref _workerCount, workers - 1);
                _channel.Writer.TryWrite(Retire);
                Interlocked.Increment(ref _scaleDowns);
                change = new WorkerPoolScaledEventArgs(workers, workers - 1, queued, load);
            }
        }

        if (change is not null)
        {
            try
            {
                Scaled?.Invoke(this, change);
            }
#pragma warning disable CA1031 // A subscriber's failure must not escape the timer.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private void AddWorker()
    {
        _workers.RemoveAll(static t => t.IsCompleted);
        _workers.Add(Task.Run(RunWorkerAsync, CancellationToken.None));
        Volatile.Write(ref _workerCount, _workerCount + 1);
    }

    private async Task RunWorkerAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var invocation))
            {
                if (ReferenceEquals(invocation, Retire))
                {
                    return;
                }

                Interlocked.Decrement(ref _queued);
                await invocation.RunAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task DisposeCoreAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        _channel.Writer.TryComplete();
        Task[] workers;
        lock (_lock)
        {
            workers = [.. _workers];
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private sealed class RetireSignal() : QueuedInvocation(CancellationToken.None)
    {
        protected override ValueTask InvokeAsync() => default;

        protected override void SetCanceled(OperationCanceledException? exception)
        {
        }

        protected override void SetException(Exception exception)
        {
        }
    }
}
