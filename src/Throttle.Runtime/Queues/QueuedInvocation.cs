using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// One call waiting in an <see cref="InvocationQueue"/>: it completes its caller's task when run, and races the
/// caller's cancellation for the right to run (the loser does nothing).
/// </summary>
internal abstract class QueuedInvocation
{
    private const int Waiting = 0;
    private const int Running = 1;
    private const int Cancelled = 2;

    private int _state;
    private CancellationTokenRegistration _registration;
    private InvocationQueue? _queue;

    protected QueuedInvocation(CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
    }

    public CancellationToken CancellationToken { get; }

    /// <summary>When it was queued (a timestamp of the runtime's clock), for the time-in-queue metric; null when unmeasured.</summary>
    public long? EnqueuedAt { get; set; }

    /// <summary>The key of a call on a deduplicating queue, which later calls of the same work join while this one waits; null elsewhere.</summary>
    public string? DedupeKey { get; init; }

    /// <summary>The work it runs: with <see cref="DedupeKey"/>, what identifies the calls that may join it; null for internal signals.</summary>
    public virtual Delegate? Work => null;

    /// <summary>Whether it is still waiting (not running, cancelled or abandoned).</summary>
    public bool IsWaiting => Volatile.Read(ref _state) == Waiting;

    /// <summary>Whether a worker ran it (it was not cancelled or abandoned first).</summary>
    public bool Ran => Volatile.Read(ref _state) == Running;

    /// <summary>Whether its run ended with an exception.</summary>
    public bool Failed { get; private set; }

    /// <summary>Cancels the caller's task if the token is cancelled before the invocation runs, removing it from <paramref name="queue"/> (if given).</summary>
    public void WatchCancellation(InvocationQueue? queue)
    {
        _queue = queue;
        if (!CancellationToken.CanBeCanceled)
        {
            return;
        }

        _registration = CancellationToken.UnsafeRegister(static state => ((QueuedInvocation)state!).OnCancelled(), this);
    }

    /// <summary>Run by a worker: does the work unless the caller cancelled first.</summary>
    public async ValueTask RunAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Waiting) != Waiting)
        {
            return;
        }

        // Cancellation can no longer remove the item; stop listening (allocation-free when never registered).
        _registration.Dispose();
        LeftWaiting();
        try
        {
            await InvokeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (CancellationToken.IsCancellationRequested)
        {
            Failed = true;
            SetCanceled(ex);
        }
#pragma warning disable CA1031 // Every exception belongs to the caller's task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failed = true;
            SetException(ex);
        }
    }

    /// <summary>The queue stopped before running this invocation.</summary>
    public void Abandon(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting)
        {
            _registration.Dispose();
            LeftWaiting();
            SetException(exception);
        }
    }

    private void OnCancelled()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting)
        {
            _queue?.Remove(this);
            LeftWaiting();
            SetCanceled(null);
        }
    }

    // A deduplicating queue's later calls with this key must not join a call that no longer waits.
    private void LeftWaiting()
    {
        if (DedupeKey is not null)
        {
            _queue?.ForgetWaiting(this);
        }
    }

    /// <summary>Runs the work and sets the result.</summary>
    protected abstract ValueTask InvokeAsync();

    protected abstract void SetCanceled(OperationCanceledException? exception);

    protected abstract void SetException(Exception exception);
}

/// <summary>An invocation with a result.</summary>
internal sealed class QueuedInvocation<TState, TResult>(
    TState state, Func<TState, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken)
    : QueuedInvocation(cancellationToken)
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    public override Delegate Work => work;

    protected override async ValueTask InvokeAsync() =>
        _completion.TrySetResult(await work(state, CancellationToken).ConfigureAwait(false));

    protected override void SetCanceled(OperationCanceledException? exception) => _completion.TrySetCanceled(CancellationToken);

    protected override void SetException(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>An invocation without a result.</summary>
internal sealed class QueuedInvocation<TState>(
    TState state, Func<TState, CancellationToken, ValueTask> work, CancellationToken cancellationToken)
    : QueuedInvocation(cancellationToken)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _completion.Task;

    public override Delegate Work => work;

    protected override async ValueTask InvokeAsync()
    {
        await work(state, CancellationToken).ConfigureAwait(false);
        _completion.TrySetResult();
    }

    protected override void SetCanceled(OperationCanceledException? exception) => _completion.TrySetCanceled(CancellationToken);

    protected override void SetException(Exception exception) => _completion.TrySetException(exception);
}
