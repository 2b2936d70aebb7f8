using System;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Policies;
using Throttle.Queues;

namespace Throttle.Infrastructure;

/// <summary>
/// One <c>[Queued]</c> method's queue binding, held by generated code in a static field. Each call names its runtime
/// (the one the method's object holds, or null for <see cref="ThrottleRuntime.Current"/>); the site resolves that
/// runtime's <see cref="InvocationQueue"/> (the named queue, or the method's own, created once per runtime and started on
/// first use) once per runtime.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class QueuedSite
{
    private readonly QueuedOptions _options;
    private PerRuntime<InvocationQueue> _resolved;

    /// <summary>
    /// Creates the site; generated code passes options the generator has already checked with the same
    /// <see cref="QueuedOptions.Validate"/>, checked again here.
    /// </summary>
    /// <param name="id">Unique name of the method (its overload included).</param>
    /// <param name="options">The <c>[Queued]</c> settings: a registered queue's name, or the method's own queue's workers and size.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="id"/> is null or empty, or an option is out of range (an <see cref="ArgumentOutOfRangeException"/>)
    /// or blank: <see cref="ArgumentException.ParamName"/> is the option's name and the message that of its <see cref="OptionProblem"/>.
    /// </exception>
    public QueuedSite(string id, QueuedOptions options)
    {
        Id = Guard.Key(id, nameof(id));
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowFirst(options.Validate());
        _options = options.Copy();
        QueueName = options.Queue;
        Workers = options.Workers;
        MaxSize = options.MaxSize;
    }

    /// <summary>Unique name of the method.</summary>
    public string Id { get; }

    /// <summary>The registered queue used instead of the method's own, if any.</summary>
    public string? QueueName { get; }

    /// <summary>What each call gives its queue (nothing, a priority, a delay or a dedupe key), so which kinds of queue fit.</summary>
    public QueueKind Kind => _options.Kind;

    /// <summary>Workers of the method's own queue.</summary>
    public int Workers { get; }

    /// <summary>Size of the method's own queue.</summary>
    public int MaxSize { get; }

    /// <summary>The queue of the current runtime (<see cref="ThrottleRuntime.Current"/>).</summary>
    /// <exception cref="InvalidOperationException">The named queue is not registered on the current runtime.</exception>
    public InvocationQueue Queue => QueueOf(null);

    /// <summary>Queues a call with a result (see <see cref="InvocationQueue.EnqueueAsync{TState, TResult}(TState, Func{TState, CancellationToken, ValueTask{TResult}}, int, CancellationToken)"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="runtime">The runtime whose queue to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="priority">Higher runs first.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation, run by a worker of the queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to <paramref name="next"/>.</param>
    /// <returns>The implementation's result or exception (a queued call always completes later, so this wraps a task).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public ValueTask<TResult> InvokeAsync<TState, TResult>(
        ThrottleRuntime? runtime, int priority, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken) =>
        new(QueueOf(runtime).EnqueueAsync(state, next, priority, cancellationToken));

    /// <summary>Queues a call without a result (see <see cref="InvocationQueue.EnqueueAsync{TState}(TState, Func{TState, CancellationToken, ValueTask}, int, CancellationToken)"/>).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="runtime">The runtime whose queue to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="priority">Higher runs first.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation, run by a worker of the queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to <paramref name="next"/>.</param>
    /// <returns>Completes when the implementation did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public ValueTask InvokeAsync<TState>(
        ThrottleRuntime? runtime, int priority, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken) =>
        new(QueueOf(runtime).EnqueueAsync(state, next, priority, cancellationToken));

    /// <summary>Queues a call with a result to run no earlier than <paramref name="delay"/> from now (a delay queue).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="runtime">The runtime whose queue to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="delay">How long from now the call becomes due; zero or positive.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation, run by a worker of the queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to <paramref name="next"/>.</param>
    /// <returns>The implementation's result or exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The queue is missing or is not a delay queue.</exception>
    public ValueTask<TResult> InvokeAsync<TState, TResult>(
        ThrottleRuntime? runtime, TimeSpan delay, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken) =>
        new(QueueOf(runtime).EnqueueAsync(state, next, delay, cancellationToken));

    /// <summary>Queues a call without a result to run no earlier than <paramref name="delay"/> from now (a delay queue).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="runtime">The runtime whose queue to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="delay">How long from now the call becomes due; zero or positive.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation, run by a worker of the queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to <paramref name="next"/>.</param>
    /// <returns>Completes when the implementation did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The queue is missing or is not a delay queue.</exception>
    public ValueTask InvokeAsync<TState>(
        ThrottleRuntime? runtime, TimeSpan delay, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken) =>
        new(QueueOf(runtime).EnqueueAsync(state, next, delay, cancellationToken));

    /// <summary>Queues a call with a result under <paramref name="dedupeKey"/>, or joins the waiting call of this method with that key (a deduplicating queue).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="runtime">The runtime whose queue to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="dedupeKey">The call's key.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation, run by a worker of the queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to <paramref name="next"/>.</param>
    /// <returns>The implementation's (or the joined call's) result or exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dedupeKey"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The queue is missing or is not a deduplicating queue.</exception>
    public ValueTask<TResult> InvokeAsync<TState, TResult>(
        ThrottleRuntime? runtime, string dedupeKey, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken) =>
        new(QueueOf(runtime).EnqueueAsync(state, next, dedupeKey, cancellationToken));

    /// <summary>Queues a call without a result under <paramref name="dedupeKey"/>, or joins the waiting call of this method with that key (a deduplicating queue).</summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <param name="runtime">The runtime whose queue to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="dedupeKey">The call's key.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation, run by a worker of the queue.</param>
    /// <param name="cancellationToken">Removes the call if cancelled before it runs; passed to <paramref name="next"/>.</param>
    /// <returns>Completes when the implementation (or the joined call) did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dedupeKey"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The queue is missing or is not a deduplicating queue.</exception>
    public ValueTask InvokeAsync<TState>(
        ThrottleRuntime? runtime, string dedupeKey, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken) =>
        new(QueueOf(runtime).EnqueueAsync(state, next, dedupeKey, cancellationToken));

    /// <summary>Whether a queue of <paramref name="queueKind"/> takes this method's calls (see <see cref="QueuedOptions.Fits"/>).</summary>
    internal bool Fits(QueueKind queueKind) => _options.Fits(queueKind);

    /// <summary>The queue of <paramref name="runtime"/> (null: <see cref="ThrottleRuntime.Current"/>).</summary>
    /// <exception cref="InvalidOperationException">The named queue is not registered on that runtime, or is of a kind that does not fit the method's calls.</exception>
    internal InvocationQueue QueueOf(ThrottleRuntime? runtime) =>
        _resolved.Get(runtime, this, static (runtime, site) => runtime.ResolveQueue(site));

    /// <summary>Queues a call with a result on the current runtime's queue.</summary>
    internal Task<TResult> EnqueueAsync<TState, TResult>(
        TState state, Func<TState, CancellationToken, ValueTask<TResult>> work, int priority, CancellationToken cancellationToken) =>
        Queue.EnqueueAsync(state, work, priority, cancellationToken);

    /// <summary>Queues a call without a result on the current runtime's queue.</summary>
    internal Task EnqueueAsync<TState>(
        TState state, Func<TState, CancellationToken, ValueTask> work, int priority, CancellationToken cancellationToken) =>
        Queue.EnqueueAsync(state, work, priority, cancellationToken);
}
