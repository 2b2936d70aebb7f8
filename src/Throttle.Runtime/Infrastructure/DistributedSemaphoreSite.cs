using System;
using System.ComponentModel;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Policies;
using Throttle.Semaphores;

namespace Throttle.Infrastructure;

/// <summary>
/// One <c>[DistributedSemaphore]</c> method's policy, held by generated code in a static field. Each call names its
/// runtime (the one the method's object holds, or null for <see cref="ThrottleRuntime.Current"/>); the site resolves
/// that runtime's semaphore (Redis-backed when the runtime has a Redis connection, else in process) and caches it per
/// runtime; semaphores are shared per key and partition within a runtime.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class DistributedSemaphoreSite
{
    private PerRuntime<ThrottleSemaphore> _resolved;

    /// <summary>
    /// Creates the site; generated code passes options the generator has already checked with the same
    /// <see cref="DistributedSemaphoreOptions.Validate"/>, checked again here.
    /// </summary>
    /// <param name="id">Unique name of the method (its overload included).</param>
    /// <param name="options">The <c>[DistributedSemaphore]</c> settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="id"/> is null or empty, or an option is out of range (an <see cref="ArgumentOutOfRangeException"/>)
    /// or blank: <see cref="ArgumentException.ParamName"/> is the option's name and the message that of its <see cref="OptionProblem"/>.
    /// </exception>
    public DistributedSemaphoreSite(string id, DistributedSemaphoreOptions options)
    {
        Id = Guard.Key(id, nameof(id));
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowFirst(options.Validate());
        Key = options.Key;
        Value = options.Value;
        AcquireTimeout = Guard.WaitSeconds(options.AcquireTimeoutSeconds, nameof(options.AcquireTimeoutSeconds));
        LeaseTime = TimeSpan.FromSeconds(options.LeaseSeconds);
        AcquireSleepDelay = TimeSpan.FromSeconds(options.AcquireSleepDelaySeconds);
    }

    /// <summary>
    /// Creates the site of a <c>[DistributedSemaphore(Semaphore = ...)]</c> method: each runtime's semaphore registered
    /// under <paramref name="semaphore"/>, which owns the value, lease and polling delay.
    /// </summary>
    /// <param name="id">Unique name of the method (its overload included).</param>
    /// <param name="semaphore">The registered semaphore's key.</param>
    /// <param name="acquireTimeoutSeconds">The longest a call waits for a slot, in seconds: positive, or <see cref="double.PositiveInfinity"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="semaphore"/> is null or empty, or
    /// <paramref name="acquireTimeoutSeconds"/> is out of range (an <see cref="ArgumentOutOfRangeException"/>).</exception>
    public DistributedSemaphoreSite(string id, string semaphore, double acquireTimeoutSeconds)
    {
        Id = Guard.Key(id, nameof(id));
        ArgumentException.ThrowIfNullOrEmpty(semaphore);
        OptionRules.ThrowFirst(new DistributedSemaphoreOptions { Key = semaphore, Value = DistributedSemaphoreOptions.MinValue, AcquireTimeoutSeconds = acquireTimeoutSeconds }.Validate());
        Key = semaphore;
        SemaphoreName = semaphore;
        AcquireTimeout = Guard.WaitSeconds(acquireTimeoutSeconds, nameof(acquireTimeoutSeconds));
    }

    /// <summary>The registered semaphore's key in the <c>Semaphore = ...</c> form, whose registration owns <see cref="Value"/>,
    /// <see cref="LeaseTime"/> and <see cref="AcquireSleepDelay"/> (zero here); null otherwise.</summary>
    public string? SemaphoreName { get; }

    /// <summary>Unique name of the method.</summary>
    public string Id { get; }

    /// <summary>The semaphore's key (before partitioning).</summary>
    public string Key { get; }

    /// <summary>The number of slots.</summary>
    public int Value { get; }

    /// <summary>Longest wait for a slot; <see cref="Timeout.InfiniteTimeSpan"/> for no bound.</summary>
    public TimeSpan AcquireTimeout { get; }

    /// <summary>Lease time of a Redis-backed slot.</summary>
    public TimeSpan LeaseTime { get; }

    /// <summary>Fallback polling interval while waiting.</summary>
    public TimeSpan AcquireSleepDelay { get; }

    /// <summary>Holds a slot of the semaphore for <paramref name="partition"/> while <paramref name="next"/> runs.</summary>
    /// <remarks>
    /// The slot is released however <paramref name="next"/> ends: its result, its task's fault or cancellation, or an
    /// exception it throws before returning a task (which, as from an async method, surfaces through the returned task).
    /// A free slot, a synchronously completing <paramref name="next"/> and release take no async state machine.
    /// </remarks>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose semaphore to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="partition">Null for the key itself; otherwise the semaphore <c>key:partition</c>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>, linked with
    /// the lease's <see cref="SemaphoreLease.LeaseLost"/> (cancelled when a Redis lease is lost).</param>
    /// <param name="cancellationToken">Cancels the wait for a slot; passed to <paramref name="next"/>.</param>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public ValueTask<TResult> InvokeAsync<TState, TResult>(
        ThrottleRuntime? runtime, string? partition, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        ValueTask<SemaphoreLease> acquiring;
        try
        {
            acquiring = AcquireAsync(runtime, partition, cancellationToken);
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<TResult>(exception);
        }

        if (!acquiring.IsCompletedSuccessfully)
        {
            return AcquireThenRunAsync(acquiring, state, next, cancellationToken);
        }

        var lease = acquiring.Result;
        ValueTask<TResult> running;
        try
        {
            running = next(state, lease.Link(cancellationToken));
        }
        catch (Exception exception)
        {
            return ReleaseThenThrowAsync<TResult>(lease, ExceptionDispatchInfo.Capture(exception));
        }

        if (!running.IsCompletedSuccessfully)
        {
            return AwaitThenReleaseAsync(lease, running);
        }

        var result = running.Result;
        var releasing = lease.DisposeAsync();
        if (!releasing.IsCompletedSuccessfully)
        {
            return AwaitReleaseAsync(releasing, result);
        }

        releasing.GetAwaiter().GetResult();
        return new ValueTask<TResult>(result);

        static async ValueTask<TResult> AcquireThenRunAsync(
            ValueTask<SemaphoreLease> acquiring, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken)
        {
            var lease = await acquiring.ConfigureAwait(false);
            try
            {
                return await next(state, lease.Link(cancellationToken)).ConfigureAwait(false);
            }
            finally
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }

        static async ValueTask<TResult> AwaitThenReleaseAsync(SemaphoreLease lease, ValueTask<TResult> running)
        {
            try
            {
                return await running.ConfigureAwait(false);
            }
            finally
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }

        static async ValueTask<TResult> AwaitReleaseAsync(ValueTask releasing, TResult result)
        {
            await releasing.ConfigureAwait(false);
            return result;
        }
    }

    /// <summary>Holds a slot of the semaphore for <paramref name="partition"/> while <paramref name="next"/> runs.</summary>
    /// <remarks>As <see cref="InvokeAsync{TState, TResult}"/>, for a call without a result.</remarks>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose semaphore to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="partition">Null for the key itself; otherwise the semaphore <c>key:partition</c>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>, linked with
    /// the lease's <see cref="SemaphoreLease.LeaseLost"/> (cancelled when a Redis lease is lost).</param>
    /// <param name="cancellationToken">Cancels the wait for a slot; passed to <paramref name="next"/>.</param>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public ValueTask InvokeAsync<TState>(
        ThrottleRuntime? runtime, string? partition, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        ValueTask<SemaphoreLease> acquiring;
        try
        {
            acquiring = AcquireAsync(runtime, partition, cancellationToken);
        }
        catch (Exception exception)
        {
            return ValueTask.FromException(exception);
        }

        if (!acquiring.IsCompletedSuccessfully)
        {
            return AcquireThenRunAsync(acquiring, state, next, cancellationToken);
        }

        var lease = acquiring.Result;
        ValueTask running;
        try
        {
            running = next(state, lease.Link(cancellationToken));
        }
        catch (Exception exception)
        {
            return ReleaseThenThrowAsync(lease, ExceptionDispatchInfo.Capture(exception));
        }

        if (!running.IsCompletedSuccessfully)
        {
            return AwaitThenReleaseAsync(lease, running);
        }

        running.GetAwaiter().GetResult();
        return lease.DisposeAsync();

        static async ValueTask AcquireThenRunAsync(
            ValueTask<SemaphoreLease> acquiring, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken)
        {
            var lease = await acquiring.ConfigureAwait(false);
            try
            {
                await next(state, lease.Link(cancellationToken)).ConfigureAwait(false);
            }
            finally
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }

        static async ValueTask AwaitThenReleaseAsync(SemaphoreLease lease, ValueTask running)
        {
            try
            {
                await running.ConfigureAwait(false);
            }
            finally
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Holds a slot of the semaphore for <paramref name="partition"/> while <paramref name="next"/> runs, blocking the thread while it waits.</summary>
    /// <remarks>The slot is released however <paramref name="next"/> ends.</remarks>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose semaphore to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="partition">Null for the key itself; otherwise the semaphore <c>key:partition</c>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>, linked with
    /// the lease's <see cref="SemaphoreLease.LeaseLost"/> (cancelled when a Redis lease is lost).</param>
    /// <param name="cancellationToken">Cancels the wait for a slot; passed to <paramref name="next"/>.</param>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    /// <returns><paramref name="next"/>'s result.</returns>
    public TResult Invoke<TState, TResult>(ThrottleRuntime? runtime, string? partition, TState state, Func<TState, CancellationToken, TResult> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        using var lease = Acquire(runtime, partition, cancellationToken);
        return next(state, lease.Link(cancellationToken));
    }

    /// <summary>Holds a slot of the semaphore for <paramref name="partition"/> while <paramref name="next"/> runs, blocking the thread while it waits.</summary>
    /// <remarks>The slot is released however <paramref name="next"/> ends.</remarks>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose semaphore to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="partition">Null for the key itself; otherwise the semaphore <c>key:partition</c>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>, linked with
    /// the lease's <see cref="SemaphoreLease.LeaseLost"/> (cancelled when a Redis lease is lost).</param>
    /// <param name="cancellationToken">Cancels the wait for a slot; passed to <paramref name="next"/>.</param>
    /// <exception cref="SemaphoreTimeoutException">No slot became free within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public void Invoke<TState>(ThrottleRuntime? runtime, string? partition, TState state, Action<TState, CancellationToken> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        using var lease = Acquire(runtime, partition, cancellationToken);
        next(state, lease.Link(cancellationToken));
    }

    /// <summary>Takes a slot of the semaphore for <paramref name="partition"/>, waiting at most <see cref="AcquireTimeout"/>.</summary>
    /// <returns>The lease; dispose it in a <c>finally</c> block.</returns>
    internal ValueTask<SemaphoreLease> AcquireAsync(string? partition, CancellationToken cancellationToken) =>
        AcquireAsync(null, partition, cancellationToken);

    /// <summary>Takes a slot of <paramref name="runtime"/>'s semaphore for <paramref name="partition"/>, waiting at most <see cref="AcquireTimeout"/>.</summary>
    /// <returns>The lease; dispose it in a <c>finally</c> block.</returns>
    internal ValueTask<SemaphoreLease> AcquireAsync(ThrottleRuntime? runtime, string? partition, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SemaphoreLease>(cancellationToken);
        }

        // A partition's semaphore the runtime evicted (idle) in between refuses; the next Resolve creates a new one.
        ValueTask<SemaphoreLease> acquiring;
        while (!Resolve(runtime, partition).TryAcquire(AcquireTimeout, cancellationToken, out acquiring))
        {
        }

        return acquiring;
    }

    /// <summary>Takes a slot on the current runtime, blocking the thread while it waits (synchronous methods).</summary>
    /// <returns>The lease; dispose it in a <c>finally</c> block.</returns>
    internal SemaphoreLease Acquire(string? partition, CancellationToken cancellationToken) => Acquire(null, partition, cancellationToken);

    /// <summary>Takes a slot, blocking the thread while it waits (synchronous methods).</summary>
    /// <returns>The lease; dispose it in a <c>finally</c> block.</returns>
    internal SemaphoreLease Acquire(ThrottleRuntime? runtime, string? partition, CancellationToken cancellationToken) =>
        ThrottleSemaphore.Wait(AcquireAsync(runtime, partition, cancellationToken));

    // An exception next threw before returning its task: released first, then rethrown into the task, as an async method would.
    private static async ValueTask<TResult> ReleaseThenThrowAsync<TResult>(SemaphoreLease lease, ExceptionDispatchInfo exception)
    {
        await lease.DisposeAsync().ConfigureAwait(false);
        exception.Throw();
        return default!;
    }

    private static async ValueTask ReleaseThenThrowAsync(SemaphoreLease lease, ExceptionDispatchInfo exception)
    {
        await lease.DisposeAsync().ConfigureAwait(false);
        exception.Throw();
    }

    /// <summary>The semaphore of the current runtime for <paramref name="partition"/>.</summary>
    internal ThrottleSemaphore Resolve(string? partition) => Resolve(null, partition);

    /// <summary>The semaphore of <paramref name="runtime"/> (null: <see cref="ThrottleRuntime.Current"/>) for <paramref name="partition"/>.</summary>
    internal ThrottleSemaphore Resolve(ThrottleRuntime? runtime, string? partition)
    {
        // A partitioned call resolves its own key each time (the runtime caches semaphores by key); only the unpartitioned
        // semaphore is worth holding here, and it is never created for a site that always partitions.
        if (SemaphoreName is not null)
        {
            return _resolved.Get(runtime, this, static (runtime, site) => runtime.TryGetSemaphore(site.Key, out var registered)
                ? registered
                : throw new InvalidOperationException(
                    $"{site.Id} uses the semaphore '{site.Key}' ([DistributedSemaphore(Semaphore = \"{site.Key}\")]), which is not registered on this ThrottleRuntime. Register it at start-up: configuration Throttle:Semaphores:{site.Key}, AddSemaphore(\"{site.Key}\", ...) or RegisterSemaphore."));
        }

        return partition is null
            ? _resolved.Get(runtime, this, static (runtime, site) => runtime.GetSemaphore(site.Key, null, site.Value, site.LeaseTime, site.AcquireSleepDelay, site.Id))
            : (runtime ?? ThrottleRuntime.Current).GetSemaphore(Key, partition, Value, LeaseTime, AcquireSleepDelay, Id);
    }
}
