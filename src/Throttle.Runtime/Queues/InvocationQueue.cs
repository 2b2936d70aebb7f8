using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A queue of method calls: the queue behind <c>[Queued]</c>. Each enqueue returns a task that completes with the
/// call's result or exception once a worker has run it (a future). Its <see cref="Kind"/> decides the order, and so
/// what each call gives: a priority queue (the constructor, <see cref="Priority"/>: higher priority first, equal
/// priorities in call order), <see cref="Fifo"/> (call order), <see cref="Delayed"/> (each call no earlier than its
/// delay) or <see cref="Deduplicating"/> (a call whose key equals that of a waiting call of the same method joins it).
/// Create one with your own workers and size and register it with <see cref="ThrottleRuntime.RegisterQueue"/> to share
/// it between methods (<c>[Queued(Queue = "name")]</c>).
/// </summary>
/// <remarks>
/// <para>The workers start on the first enqueue (or <see cref="StartAsync"/>).</para>
/// <para>Cancelling a call's token before the call runs removes it from the queue and cancels its task; once it runs,
/// the token is the one passed to the work. A call that joined another (deduplicating queue) stops waiting when its own
/// token is cancelled; the call it joined runs with the first caller's token, so the first caller's cancellation
/// cancels the joined callers' tasks too.</para>
/// <para>No call is lost across <see cref="StopAsync"/>: every accepted call either runs, or its task fails with a
/// <see cref="QueueStoppedException"/>.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class InvocationQueue : IAsyncDisposable
{
    private readonly WorkQueue<QueuedInvocation> _queue;

    // One of the two holds the calls: a heap by priority (priority, FIFO and deduplicating queues put priority 0, so
    // their calls run in call order), or a heap by due time (delay queues).
    private readonly PriorityWorkQueue<QueuedInvocation>? _ordered;
    private readonly DelayWorkQueue<QueuedInvocation>? _delayed;

    // Deduplicating queues: the waiting call of each (method's work, key), which later calls with that pair join.
    private readonly ConcurrentDictionary<(Delegate Work, string Key), QueuedInvocation>? _waiting;
    private int _started;

    /// <summary>Creates a priority queue; its workers start on first use.</summary>
    /// <param name="workers">Calls running concurrently (at least 1).</param>
    /// <param name="maxSize">The most calls waiting at once (at least 1); further calls wait for room.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    public InvocationQueue(int workers = Throttle.Policies.QueuedOptions.DefaultWorkers, int maxSize = WorkQueue<object>.DefaultMaxSize, TimeProvider? timeProvider = null)
        : this(QueueKind.Priority, workers, maxSize, timeProvider)
    {
    }

    private InvocationQueue(QueueKind kind, int workers, int maxSize, TimeProvider? timeProvider)
    {
        Kind = kind;
        Func<QueuedInvocation, CancellationToken, ValueTask> run = (invocation, _) => Telemetry is { } telemetry ? telemetry.RunAsync(invocation) : invocation.RunAsync();
        _queue = kind == QueueKind.Delayed
            ? _delayed = new DelayWorkQueue<QueuedInvocation>(run, workers, maxSize, timeProvider)
            : _ordered = new PriorityWorkQueue<QueuedInvocation>(run, workers, maxSize, null, timeProvider);

        // Calls a stop takes back fail at once, not only once the calls still running have returned.
        _queue.HandedBack = static leftovers => AbandonAll(leftovers);
        if (kind == QueueKind.Deduplicating)
        {
            _waiting = new ConcurrentDictionary<(Delegate Work, string Key), QueuedInvocation>();
        }
    }

    /// <summary>Creates a priority queue (as the constructor does): higher priority runs first, equal priorities in call order.</summary>
    /// <param name="workers">Calls running concurrently (at least 1).</param>
    /// <param name="maxSize">The most calls waiting at once (at least 1); further calls wait for room.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <returns>The queue; its workers start on first use.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    public static InvocationQueue Priority(int workers = Throttle.Policies.QueuedOptions.DefaultWorkers, int maxSize = WorkQueue<object>.DefaultMaxSize, TimeProvider? timeProvider = null) =>
        new(QueueKind.Priority, workers, maxSize, timeProvider);

    /// <summary>Creates a FIFO queue: calls run in the order they were queued, and give no priority.</summary>
    /// <param name="workers">Calls running concurrently (at least 1).</param>
    /// <param name="maxSize">The most calls waiting at once (at least 1); further calls wait for room.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <returns>The queue; its workers start on first use.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    public static InvocationQueue Fifo(int workers = Throttle.Policies.QueuedOptions.DefaultWorkers, int maxSize = WorkQueue<object>.DefaultMaxSize, TimeProvider? timeProvider = null) =>
        new(QueueKind.Fifo, workers, maxSize, timeProvider);

    /// <summary>
    /// Creates a delay queue: each call gives a delay (<c>[Queued(DelayParameter = ...)]</c>, or
    /// <see cref="EnqueueAsync{TState, TResult}(TState, Func{TState, CancellationToken, ValueTask{TResult}}, TimeSpan, CancellationToken)"/>)
    /// and runs no earlier than that long after it was queued, by <paramref name="timeProvider"/>'s clock; calls due
    /// together run in call order. A drain waits for the waiting calls' due times.
    /// </summary>
    /// <param name="workers">Calls running concurrently (at least 1).</param>
    /// <param name="maxSize">The most calls waiting at once, due or not (at least 1); further calls wait for room.</param>
    /// <param name="timeProvider">The clock of due times; default <see cref="TimeProvider.System"/>.</param>
    /// <returns>The queue; its workers start on first use.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    public static InvocationQueue Delayed(int workers = Throttle.Policies.QueuedOptions.DefaultWorkers, int maxSize = WorkQueue<object>.DefaultMaxSize, TimeProvider? timeProvider = null) =>
        new(QueueKind.Delayed, workers, maxSize, timeProvider);

    /// <summary>
    /// Creates a deduplicating queue: each call gives a key (<c>[Queued(DedupeKey = ...)]</c>, or
    /// <see cref="EnqueueAsync{TState, TResult}(TState, Func{TState, CancellationToken, ValueTask{TResult}}, string, CancellationToken)"/>);
    /// a call of the same work (the same method) with the key of a call still waiting joins that call: it is not queued,
    /// and its task completes with the waiting call's result or exception. Once a call starts running, a new call with its
    /// key is queued again. Distinct calls run in call order.
    /// </summary>
    /// <param name="workers">Calls running concurrently (at least 1).</param>
    /// <param name="maxSize">The most calls waiting at once (at least 1); further calls wait for room.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <returns>The queue; its workers start on first use.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> or <paramref name="maxSize"/> is less than 1.</exception>
    public static InvocationQueue Deduplicating(int workers = Throttle.Policies.QueuedOptions.DefaultWorkers, int maxSize = WorkQueue<object>.DefaultMaxSize, TimeProvider? timeProvider = null) =>
        new(QueueKind.Deduplicating, workers, maxSize, timeProvider);

    /// <summary>The queue a <c>[Queued]</c> method gets of its own when its calls give <paramref name="callsGive"/>: a priority queue unless they give a delay or a dedupe key.</summary>
    internal static InvocationQueue OwnFor(QueueKind callsGive, int workers, int maxSize, TimeProvider timeProvider) =>
        new(callsGive == QueueKind.Fifo ? QueueKind.Priority : callsGive, workers, maxSize, timeProvider);

    /// <summary>The order the queue runs calls in, and so what each call gives it.</summary>
    public QueueKind Kind { get; }

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
    /// <param name="priority">Higher runs first; 0 on a FIFO queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to the work.</param>
    /// <returns>The call's result or exception; cancelled if the token was cancelled before it ran; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A priority other than 0 on a FIFO queue.</exception>
    /// <exception cref="InvalidOperationException">A delay or deduplicating queue, whose calls give a delay or a key.</exception>
    public Task<TResult> EnqueueAsync<TState, TResult>(
        TState state, Func<TState, CancellationToken, ValueTask<TResult>> work, int priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        CheckPriority(priority);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var invocation = new QueuedInvocation<TState, TResult>(state, work, cancellationToken);
        var accepted = Enqueue(invocation, priority, default);
        return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
    }

    /// <summary>Queues a call of <paramref name="work"/> on <paramref name="state"/>.</summary>
    /// <typeparam name="TState">What the work needs (the call's arguments).</typeparam>
    /// <param name="state">Passed to <paramref name="work"/>.</param>
    /// <param name="work">The call; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="priority">Higher runs first; 0 on a FIFO queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to the work.</param>
    /// <returns>Completes when the call did; cancelled if the token was cancelled before it ran; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A priority other than 0 on a FIFO queue.</exception>
    /// <exception cref="InvalidOperationException">A delay or deduplicating queue, whose calls give a delay or a key.</exception>
    public Task EnqueueAsync<TState>(
        TState state, Func<TState, CancellationToken, ValueTask> work, int priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        CheckPriority(priority);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var invocation = new QueuedInvocation<TState>(state, work, cancellationToken);
        var accepted = Enqueue(invocation, priority, default);
        return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
    }

    /// <summary>Queues a call of <paramref name="work"/> on <paramref name="state"/> to run no earlier than <paramref name="delay"/> from now (delay queue).</summary>
    /// <typeparam name="TState">What the work needs (the call's arguments).</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="state">Passed to <paramref name="work"/>.</param>
    /// <param name="work">The call; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="delay">How long from now the call becomes due: zero or positive.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to the work.</param>
    /// <returns>The call's result or exception; cancelled if the token was cancelled before it ran; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative (or ends after <see cref="DateTimeOffset.MaxValue"/>).</exception>
    /// <exception cref="InvalidOperationException">Not a delay queue.</exception>
    public Task<TResult> EnqueueAsync<TState, TResult>(
        TState state, Func<TState, CancellationToken, ValueTask<TResult>> work, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        CheckDelay(delay);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var invocation = new QueuedInvocation<TState, TResult>(state, work, cancellationToken);
        var accepted = Enqueue(invocation, 0, delay);
        return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
    }

    /// <summary>Queues a call of <paramref name="work"/> on <paramref name="state"/> to run no earlier than <paramref name="delay"/> from now (delay queue).</summary>
    /// <typeparam name="TState">What the work needs (the call's arguments).</typeparam>
    /// <param name="state">Passed to <paramref name="work"/>.</param>
    /// <param name="work">The call; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="delay">How long from now the call becomes due: zero or positive.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to the work.</param>
    /// <returns>Completes when the call did; cancelled if the token was cancelled before it ran; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative (or ends after <see cref="DateTimeOffset.MaxValue"/>).</exception>
    /// <exception cref="InvalidOperationException">Not a delay queue.</exception>
    public Task EnqueueAsync<TState>(
        TState state, Func<TState, CancellationToken, ValueTask> work, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        CheckDelay(delay);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var invocation = new QueuedInvocation<TState>(state, work, cancellationToken);
        var accepted = Enqueue(invocation, 0, delay);
        return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
    }

    /// <summary>
    /// Queues a call of <paramref name="work"/> on <paramref name="state"/> under <paramref name="dedupeKey"/>
    /// (deduplicating queue), or joins the waiting call of the same <paramref name="work"/> and key.
    /// </summary>
    /// <typeparam name="TState">What the work needs (the call's arguments).</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="state">Passed to <paramref name="work"/>.</param>
    /// <param name="work">The call; receives <paramref name="cancellationToken"/>. Calls join only calls of the same work.</param>
    /// <param name="dedupeKey">The call's key (ordinal comparison).</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs (or, for a call that joined another, ends its wait); passed to the work.</param>
    /// <returns>The call's (or the joined call's) result or exception; cancelled if the token was cancelled first; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dedupeKey"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">Not a deduplicating queue.</exception>
    public Task<TResult> EnqueueAsync<TState, TResult>(
        TState state, Func<TState, CancellationToken, ValueTask<TResult>> work, string dedupeKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var waiting = CheckDedupeKey(dedupeKey);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        while (true)
        {
            if (waiting.TryGetValue((work, dedupeKey), out var existing) && existing is QueuedInvocation<TState, TResult> joined)
            {
                if (joined.IsWaiting)
                {
                    return Join(joined.Task, cancellationToken);
                }

                // It has just started (or ended) and is forgetting itself; take its place.
                waiting.TryRemove(KeyValuePair.Create(((Delegate)work, dedupeKey), existing!));
                continue;
            }

            var invocation = new QueuedInvocation<TState, TResult>(state, work, cancellationToken) { DedupeKey = dedupeKey };
            if (existing is null && !waiting.TryAdd((work, dedupeKey), invocation))
            {
                continue; // another call with this key got in first: join it
            }

            var accepted = Enqueue(invocation, 0, default);
            return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
        }
    }

    /// <summary>
    /// Queues a call of <paramref name="work"/> on <paramref name="state"/> under <paramref name="dedupeKey"/>
    /// (deduplicating queue), or joins the waiting call of the same <paramref name="work"/> and key.
    /// </summary>
    /// <typeparam name="TState">What the work needs (the call's arguments).</typeparam>
    /// <param name="state">Passed to <paramref name="work"/>.</param>
    /// <param name="work">The call; receives <paramref name="cancellationToken"/>. Calls join only calls of the same work.</param>
    /// <param name="dedupeKey">The call's key (ordinal comparison).</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs (or, for a call that joined another, ends its wait); passed to the work.</param>
    /// <returns>Completes when the call (or the joined call) did; cancelled if the token was cancelled first; <see cref="QueueStoppedException"/> if the queue stopped first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dedupeKey"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">Not a deduplicating queue.</exception>
    public Task EnqueueAsync<TState>(
        TState state, Func<TState, CancellationToken, ValueTask> work, string dedupeKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var waiting = CheckDedupeKey(dedupeKey);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        while (true)
        {
            if (waiting.TryGetValue((work, dedupeKey), out var existing) && existing is QueuedInvocation<TState> joined)
            {
                if (joined.IsWaiting)
                {
                    return Join(joined.Task, cancellationToken);
                }

                waiting.TryRemove(KeyValuePair.Create(((Delegate)work, dedupeKey), existing!));
                continue;
            }

            var invocation = new QueuedInvocation<TState>(state, work, cancellationToken) { DedupeKey = dedupeKey };
            if (existing is null && !waiting.TryAdd((work, dedupeKey), invocation))
            {
                continue;
            }

            var accepted = Enqueue(invocation, 0, default);
            return accepted.IsCompletedSuccessfully ? invocation.Task : AwaitAcceptedAsync(accepted, invocation.Task);
        }
    }

    /// <summary>A waiting call of a deduplicating queue started, was cancelled or abandoned: later calls with its key are queued anew.</summary>
    internal void ForgetWaiting(QueuedInvocation invocation)
    {
        if (_waiting is not null && invocation is { DedupeKey: { } key, Work: { } work })
        {
            _waiting.TryRemove(KeyValuePair.Create((work, key), invocation));
        }
    }

    // A joined caller waits on the shared task, but its own token ends only its own wait.
    private static Task<TResult> Join<TResult>(Task<TResult> task, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;

    private static Task Join(Task task, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;

    private void CheckPriority(int priority)
    {
        switch (Kind)
        {
            case QueueKind.Priority:
                return;
            case QueueKind.Fifo when priority == 0:
                return;
            case QueueKind.Fifo:
                throw new ArgumentOutOfRangeException(
                    nameof(priority), priority, "A FIFO queue runs calls in the order they came and takes no priority; pass 0, or use a priority queue (new InvocationQueue(...)).");
            case QueueKind.Delayed:
                throw new InvalidOperationException("This InvocationQueue is a delay queue: each call gives a delay (EnqueueAsync(state, work, delay, cancellationToken)).");
            default:
                throw new InvalidOperationException("This InvocationQueue is a deduplicating queue: each call gives a key (EnqueueAsync(state, work, dedupeKey, cancellationToken)).");
        }
    }

    private void CheckDelay(TimeSpan delay)
    {
        if (_delayed is null)
        {
            throw new InvalidOperationException($"This InvocationQueue is a {Describe(Kind)} queue, which takes no delay; use InvocationQueue.Delayed(...).");
        }

        QueueGuard.Delay(delay, _delayed.TimeProvider.GetUtcNow().UtcTicks, nameof(delay));
    }

    private ConcurrentDictionary<(Delegate Work, string Key), QueuedInvocation> CheckDedupeKey(string dedupeKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupeKey);
        return _waiting ?? throw new InvalidOperationException(
            $"This InvocationQueue is a {Describe(Kind)} queue, which takes no dedupe key; use InvocationQueue.Deduplicating(...).");
    }

    /// <summary>The kind in words, as messages say it: "FIFO", "priority", "delay", "deduplicating".</summary>
    internal static string Describe(QueueKind kind) => kind switch
    {
        QueueKind.Fifo => "FIFO",
        QueueKind.Priority => "priority",
        QueueKind.Delayed => "delay",
        _ => "deduplicating",
    };

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
    internal void Remove(QueuedInvocation invocation)
    {
        if (_delayed is not null)
        {
            _delayed.TryRemove(invocation, invocation.CancellationToken);
        }
        else
        {
            _ordered!.TryRemove(invocation, invocation.CancellationToken);
        }
    }

    /// <summary>Puts the invocation; the returned task completes when it is queued or has already ended (stopped, cancelled).</summary>
    private Task Enqueue(QueuedInvocation invocation, int priority, TimeSpan delay)
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

            if (_delayed is not null ? _delayed.TryPut(invocation, delay) : _ordered!.TryPut(invocation, priority))
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

        return PutSlowAsync(invocation, priority, delay);
    }

    private async Task PutSlowAsync(QueuedInvocation invocation, int priority, TimeSpan delay)
    {
        try
        {
            var put = _delayed is not null
                ? _delayed.PutAsync(invocation, delay, invocation.CancellationToken)
                : _ordered!.PutAsync(invocation, priority, invocation.CancellationToken);
            await put.ConfigureAwait(false);
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
