using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;

namespace Throttle.Semaphores;

/// <summary>
/// A bounded semaphore inside one process, with the semantics of <see cref="DistributedBoundedSemaphore"/>: leases,
/// an acquire timeout on <see cref="ThrottleSemaphore.TimeProvider"/>, cancellation, strict first-in-first-out
/// waiters, and a release that would exceed <see cref="ThrottleSemaphore.Value"/> throws. Used by
/// <c>[DistributedSemaphore]</c> when the runtime has no Redis connection. Leases never expire.
/// </summary>
public sealed class InProcessSemaphore : ThrottleSemaphore
{
    private readonly LinkedList<Waiter> _waiters = new();
    private int _free;

    /// <summary>Creates a semaphore of <paramref name="value"/> free slots.</summary>
    /// <param name="key">The semaphore's name (for messages and sharing through the runtime).</param>
    /// <param name="value">The number of slots, at least 1.</param>
    /// <param name="acquireTimeout">The default acquire timeout; null for no bound.</param>
    /// <param name="timeProvider">The clock of timeouts; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is less than 1, or the timeout is negative.</exception>
    public InProcessSemaphore(string key, int value, TimeSpan? acquireTimeout = null, TimeProvider? timeProvider = null)
        : base(key, value, acquireTimeout, timeProvider)
    {
        _free = value;
    }

    /// <summary>The number of free slots now.</summary>
    public int CurrentCount
    {
        get
        {
            lock (_waiters)
            {
                return _free;
            }
        }
    }

    /// <summary>The number of callers waiting now.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_waiters)
            {
                return _waiters.Count;
            }
        }
    }

    private protected override ValueTask<SemaphoreLease> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_waiters)
        {
            // Checked under the lock that disposal takes to end the waiters: no waiter can queue after them.
            if (IsDisposed)
            {
                return ValueTask.FromException<SemaphoreLease>(DisposedException());
            }

            // Newcomers never overtake waiters: a free slot goes to the queue first (see Release).
            if (_free > 0 && _waiters.Count == 0)
            {
                _free--;
                return new ValueTask<SemaphoreLease>(NewLease(null));
            }

            if (timeout == TimeSpan.Zero)
            {
                return ValueTask.FromException<SemaphoreLease>(new SemaphoreTimeoutException(Key, timeout));
            }

            waiter = new Waiter(this, timeout);
            waiter.Node = _waiters.AddLast(waiter);
        }

        return new ValueTask<SemaphoreLease>(waiter.WaitAsync(cancellationToken));
    }

    private protected override ValueTask<bool> ReleaseLeaseAsync(SemaphoreLease lease, bool inBackground, CancellationToken cancellationToken)
    {
        Release();
        return new ValueTask<bool>(true);
    }

    private protected override ValueTask ReleaseUnheldAsync(CancellationToken cancellationToken) =>
        ValueTask.FromException(new InvalidOperationException(
            $"Semaphore '{Key}' has no slot held through this instance: releasing would raise its free slots above its value {Value}. Nothing was changed."));

    private protected override ValueTask DisposeCoreAsync()
    {
        lock (_waiters)
        {
            // Every waiter ends now; none is granted a slot after this (acquires are refused before they queue).
            while (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                first.Value.EndDisposed();
            }
        }

        return default;
    }

    private void Release()
    {
        lock (_waiters)
        {
            // Hand the slot straight to the oldest waiter so that no newcomer can take it in between.
            while (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                if (first.Value.TryGrant())
                {
                    return;
                }
            }

            if (_free >= Value)
            {
                // Leases are released once each, so this is a bug, not a user error.
                throw new InvalidOperationException($"Semaphore '{Key}' would exceed its value {Value}.");
            }

            _free++;
        }
    }

    private sealed class Waiter(InProcessSemaphore owner, TimeSpan timeout)
    {
        private const int Abandoned = 0;
        private const int Granted = 1;
        private const int Disposed = 2;

        private readonly TaskCompletionSource<int> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        /// <summary>Called under the owner's lock once the waiter has left the queue.</summary>
        public bool TryGrant() => _completion.TrySetResult(Granted);

        /// <summary>Called under the owner's lock once the waiter has left the queue: the semaphore was disposed.</summary>
        public void EndDisposed() => _completion.TrySetResult(Disposed);

        public async Task<SemaphoreLease> WaitAsync(CancellationToken cancellationToken)
        {
            // A long timer: a timeout beyond what one timer takes (TimeSpan.MaxValue, 1e7 s) is waited in chunks, so it
            // neither throws after the waiter was queued (a release would hand it a slot nobody holds) nor is cut short.
            using var timer = timeout == Timeout.InfiniteTimeSpan
                ? null
                : new LongTimer(owner.TimeProvider, static state => ((Waiter)state!).Abandon(), this, timeout);
            using var registration = cancellationToken.Register(static state => ((Waiter)state!).Abandon(), this);
            switch (await _completion.Task.ConfigureAwait(false))
            {
                case Granted:
                    return owner.NewLease(null);
                case Disposed:
                    throw owner.DisposedException();
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new SemaphoreTimeoutException(owner.Key, timeout);
        }

        private void Abandon()
        {
            lock (owner._waiters)
            {
                // Only a waiter still queued can give up; one already granted keeps its slot.
                if (Node?.List is null)
                {
                    return;
                }

                owner._waiters.Remove(Node);
                _completion.TrySetResult(Abandoned);
            }
        }
    }
}
