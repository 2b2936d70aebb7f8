using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A priority queue of method calls: the queue behind <c>[Queued]</c>. Each enqueue returns a task that completes with
/// the call's result or exception once a worker has run it (a future); higher priority runs first, equal
/// priorities in call order. Create one with your own workers and size and register it with
/// <see cref="ThrottleRuntime.RegisterQueue"/> to share it between methods (<c>[Queued(Queue = "name")]</c>).
/// </summary>
/// <remarks>
/// <para>The workers start on the first enqueue (or <see cref="StartAsync"/>).</para>
/// <para>Cancelling a call's token before the call runs removes it from the queue and cancels its task; once it runs,
/// the token is the one passed to the work.</para>
/// <para>No call is lost across <see cref="StopAsync"/>: every accepted call either runs, or its task fails with a
/// <see cref="QueueStoppedException"/>.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class InvocationQueue : IAsyncDisposable
{
    private readonly PriorityWorkQueue<QueuedInvocation> _queue;
    private int _started;

    /// <summary>Creates the queue; its workers start on first use.</summary>
    /// <param name="workers">Calls running concurrently (at least 1).</param>
    /// <param name="maxSize">The most calls waiting at once (at least 1); further calls wait for room.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    public InvocationQueue(int workers = Throttle.Policies.QueuedOptions.DefaultWorkers, int maxSize = WorkQueue<object>.DefaultMaxSize, TimeProvider? timeProvider = null)
    {
        _queue = new PriorityWorkQueue<QueuedInvocation>((invocation, _) => Telemetry is { } telemetry ? telemetry.RunAsync(invocation) : invocation.RunAsync(), workers, maxSize, null, timeProvider)
        {
            // Calls a stop takes back fail at once, not only once the calls still running have returned.
            HandedBack = static leftovers => AbandonAll(leftovers),
        };
    }

    /// <summary>The metrics hook of the runtime that created or registered this queue.</summary>
    internal Telemetry.QueueTelemetry? Telemetry { get; set; }

    /// <summary>Calls running concurrently.</summary>
    public int Workers => _queue.Workers;

    /// <summary>The most calls waiting at once.</summary>
    public int MaxSize => _queue.MaxSize;

    /// <summary>Calls waiting (not yet running).</summary>
    public int Count => _queue.Count;

    /// <summary>Where the queue is in its life cycle.</summary>
    public WorkQueueState State => _queue.State;

    /// <summary>Starts the workers now rather than on the first enqueue.</summary>
    /// <param name="cancellationToken">Checked before starting.</param>
    /// <exception cref="InvalidOperationException">The queue has been stopped.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _started, 1);
        return _queue.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Stops the queue: new calls fail with <see cref="QueueStoppedException"/>; running calls finish. With
    /// <see cref="QueueStopMode.Drain"/> the waiting calls run first; with <see cref="QueueStopMode.HandBack"/>, or
    /// when <paramref name="cancellationToken"/> cancels the drain, their tasks fail with <see cref="QueueStoppedException"/>.
    /// </summary>
    /// <param name="mode">Run the waiting calls, or fail them.</param>
    /// <param name="cancellationToken">Bounds the drain.</param>
    /// <returns>How many waiting calls were failed rather than run.</returns>
    public async Task<int> StopAsync(QueueStopMode mode = QueueStopMode.Drain, CancellationToken cancellationToken = default)
    {
        var leftovers = await _queue.StopAsync(mode, cancellationToken).ConfigureAwait(false);
        AbandonAll(leftovers); // already done when they were taken back; Abandon does nothing the second time
        return leftovers.Count;
    }

    /// <summary>Stops the queue, draining it.</summary>
    /// <returns>A task that completes when the queue has stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync(QueueStopMode.Drain).ConfigureAwait(false);

    /// <summary>Queues a call of <paramref name="work"/> on <paramref name="state"/>.</summary>
    /// <typeparam name="TState">What the work needs (the call's arguments).</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="state">Passed to <paramref name="work"/>.</param>
    /// <param name="work">The call; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="priority">Higher runs first.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to the work.</param>
    /// <returns>The call's result or exception; cancelled if the token was cancelled before it ran; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    public Task<TResult> EnqueueAsync<TState, TResult>(
        TState state, Func<TState, CancellationToken, ValueTask<TResult>> work, int priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var invocation = new QueuedInvocation<TState, TResult>(state, work, cancellationToken);
        var accepted = Enqueue(invocation, priority);
        return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
    }

    /// <summary>Queues a call of <paramref name="work"/> on <paramref name="state"/>.</summary>
    /// <typeparam name="TState">What the work needs (the call's arguments).</typeparam>
    /// <param name="state">Passed to <paramref name="work"/>.</param>
    /// <param name="work">The call; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="priority">Higher runs first.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to the work.</param>
    /// <returns>Completes when the call did; cancelled if the token was cancelled before it ran; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    public Task EnqueueAsync<TState>(
        TState state, Func<TState, CancellationToken, ValueTask> work, int priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var invocation = new QueuedInvocation<TState>(state, work, cancellationToken);
        var accepted = Enqueue(invocation, priority);
        return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
    }

    private static void AbandonAll(IReadOnlyList<QueuedInvocation> leftovers)
    {
        if (leftovers.Count == 0)
        {
            return;
        }

        var stopped = new QueueStoppedException("The queue was stopped before this call ran; the call did not run.");
        foreach (var invocation in leftovers)
        {
            invocation.Abandon(stopped);
        }
    }

    /// <summary>Removes a cancelled invocation that is still waiting.</summary>
    internal void Remove(QueuedInvocation invocation) => _queue.TryRemove(invocation, invocation.CancellationToken);

    /// <summary>Puts the invocation; the returned task completes when it is queued or has already ended (stopped, cancelled).</summary>
    private Task Enqueue(QueuedInvocation invocation, int priority)
    {
        // Listen before putting: a worker may run the call at once, and then it stops listening itself.
        invocation.WatchCancellation(this);
        invocation.EnqueuedAt = Telemetry?.Enqueued();
        try
        {
            if (Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0)
            {
                _queue.StartAsync();
            }

            if (_queue.TryPut(invocation, priority))
            {
                return Task.CompletedTask;
            }
        }
        catch (InvalidOperationException ex)
        {
            // Stopped (QueueStoppedException from the put, or a stopped queue refusing to start): the call's task says so.
            invocation.Abandon(ex as QueueStoppedException ?? new QueueStoppedException("The queue has been stopped and accepts no more calls.", ex));
            return Task.CompletedTask;
        }

        return PutSlowAsync(invocation, priority);
    }

    private async Task PutSlowAsync(QueuedInvocation invocation, int priority)
    {
        try
        {
            await _queue.PutAsync(invocation, priority, invocation.CancellationToken).ConfigureAwait(false);
        }
        catch (QueueStoppedException ex)
        {
            invocation.Abandon(ex);
        }
        catch (OperationCanceledException) when (invocation.CancellationToken.IsCancellationRequested)
        {
            // The cancellation callback has already cancelled the call's task.
        }
    }

    private static async Task<TResult> AwaitAcceptedAsync<TResult>(Task accepted, Task<TResult> result)
    {
        await accepted.ConfigureAwait(false);
        return await result.ConfigureAwait(false);
    }

    private static async Task AwaitAcceptedAsync(Task accepted, Task result)
    {
        await accepted.ConfigureAwait(false);
        await result.ConfigureAwait(false);
    }
}
