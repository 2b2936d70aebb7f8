using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Limiters;

namespace Throttle.Interop;

/// <summary>
/// One key of a System.Threading.RateLimiting view: its queue of waiting acquisitions, its lease counters, and the
/// key's quota as last seen (for lease metadata, statistics on remote storage and <c>IdleDuration</c>).
/// </summary>
/// <remarks>
/// <para>STRL's semantics, on Throttle's computed waiting: an acquisition that cannot be granted now joins the queue
/// (within <see cref="ThrottleRateLimiterOptions.QueueLimit"/> permits); one pump per key serves the queue in order,
/// waiting each time the RetryAfter the limiter names for the waiter next in line. With
/// <see cref="QueueProcessingOrder.OldestFirst"/> nothing overtakes the queue.</para>
/// <para>On memory storage decisions are synchronous and made under this key's lock, so arrival order is exact and a
/// grant allocates nothing. On remote storage every decision is one awaited attempt, never under the lock; a grant for
/// a waiter that left the queue meanwhile is given back. The metadata's quota comes with the decision (the acquire
/// script answers the tokens left); only a limiter whose decisions do not carry it (a composite) gets a statistics read
/// sent with each attempt (pipelined: still one round trip).</para>
/// </remarks>
internal sealed class PartitionState
{
    private static readonly TimeSpan MinimumRetryDelay = TimeSpan.FromMilliseconds(1);

    // The pump's answers: serve the next waiter now, or stop (the queue is empty or the view disposed).
    private static readonly TimeSpan ServeNow = TimeSpan.Zero;
    private static readonly TimeSpan Stop = TimeSpan.MinValue;

    private readonly LimiterAdapter _adapter;
    private readonly string _key;
    private readonly LinkedList<QueuedAcquire> _queue = new();
    private readonly long _createdAt;
    private int _queuedPermits;
    private bool _pumping;
    private long _successful;
    private long _failed;

    // The key's quota as last seen, and when (a TimeProvider timestamp). Before any, the key is taken as full since
    // the view was created.
    private Quota _quota;
    private long _quotaAt;
    private bool _hasQuota;

    public PartitionState(LimiterAdapter adapter, string limiterKey)
    {
        _adapter = adapter;
        _key = limiterKey;
        _createdAt = adapter.TimeProvider.GetTimestamp();
        Granted = new GrantedLease(this);
    }

    /// <summary>This key's granted lease, shared by all its grants.</summary>
    public GrantedLease Granted { get; }

    private object Gate => _queue;

    private ThrottleLimiter Limiter => _adapter.Limiter;

    private TimeProvider Clock => _adapter.TimeProvider;

    /// <summary>The quota after the latest decision, for the granted lease's metadata.</summary>
    public Quota LastQuota
    {
        get
        {
            lock (Gate)
            {
                return _hasQuota ? _quota : FreshQuota();
            }
        }
    }

    /// <summary>
    /// <see langword="null"/> while acquisitions wait or the key is not full; otherwise how long it has been full
    /// (since the view was created, for a key never used). On remote storage this is estimated from the last decision
    /// seen here, with no round trip.
    /// </summary>
    public TimeSpan? IdleDuration
    {
        get
        {
            lock (Gate)
            {
                if (_queue.Count > 0)
                {
                    return null;
                }

                var now = Current();
                if (!now.IsFull)
                {
                    Observe(now);
                    return null;
                }

                var idle = _hasQuota ? Clock.GetElapsedTime(_quotaAt) - _quota.Reset : Clock.GetElapsedTime(_createdAt);
                return idle > TimeSpan.Zero ? idle : TimeSpan.Zero;
            }
        }
    }

    public RateLimiterStatistics GetStatistics()
    {
        lock (Gate)
        {
            var now = Current();
            Observe(now);
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = now.Remaining,
                CurrentQueuedCount = _queuedPermits,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    /// <summary>STRL's <c>AttemptAcquire</c>: arguments already checked.</summary>
    public RateLimitLease Attempt(int permits)
    {
        _adapter.ThrowIfDisposed();
        if (!_adapter.DecidesInProcess)
        {
            // Never block a thread on a round trip: the caller (ASP.NET Core's middleware) goes on to AcquireAsync.
            return ThrottleLease.NotAttempted;
        }

        lock (Gate)
        {
            _adapter.ThrowIfDisposed();
            if (permits == 0)
            {
                var quota = Read();
                Observe(quota);
                return quota.Remaining >= 1 ? Grant() : Fail(quota.Until(1), quota);
            }

            if (_queue.Count > 0 && !_adapter.IsNewestFirst)
            {
                var quota = Read();
                return Fail(quota.Until(permits + _queuedPermits), quota);
            }

            var decision = Wait(Limiter.AttemptAcquireUncheckedAsync(_key, permits, CancellationToken.None));
            var after = After(decision);
            Observe(after);
            return decision.IsAcquired ? Grant() : Fail(decision.RetryAfter, after);
        }
    }

    /// <summary>STRL's <c>AcquireAsync</c>: arguments already checked.</summary>
    public ValueTask<RateLimitLease> AcquireAsync(int permits, CancellationToken cancellationToken)
    {
        _adapter.ThrowIfDisposed();
        if (!_adapter.DecidesInProcess)
        {
            return AcquireRemoteAsync(permits, cancellationToken);
        }

        lock (Gate)
        {
            _adapter.ThrowIfDisposed();
            Quota quota;
            TimeSpan retryAfter;
            if (permits == 0)
            {
                quota = Read();
                Observe(quota);
                if (quota.Remaining >= 1)
                {
                    return new ValueTask<RateLimitLease>(Grant());
                }

                retryAfter = quota.Until(1);
            }
            else if (_queue.Count == 0 || _adapter.IsNewestFirst)
            {
                var decision = Wait(Limiter.AttemptAcquireUncheckedAsync(_key, permits, CancellationToken.None));
                quota = After(decision);
                Observe(quota);
                if (decision.IsAcquired)
                {
                    return new ValueTask<RateLimitLease>(Grant());
                }

                retryAfter = decision.RetryAfter;
            }
            else
            {
                quota = Read();
                retryAfter = quota.Until(permits + _queuedPermits);
            }

            return Enqueue(permits, retryAfter, quota, cancellationToken);
        }
    }

    /// <summary>Ends every waiting acquisition with a failed lease, oldest first (the view is being disposed).</summary>
    public void EndWaits()
    {
        lock (Gate)
        {
            while (_queue.First is { } node)
            {
                Leave(node.Value);
                node.Value.Complete(ThrottleLease.Disposed);
            }
        }
    }

    /// <summary>The caller's token was cancelled: the acquisition leaves the queue and ends with that token.</summary>
    internal void Cancel(QueuedAcquire waiter)
    {
        lock (Gate)
        {
            if (!waiter.IsQueued)
            {
                return;
            }

            Leave(waiter);
        }

        waiter.CompleteCancelled();
    }

    /// <summary><see cref="ThrottleRateLimiterOptions.MaxWait"/> passed: the acquisition fails with RetryAfter.</summary>
    internal void Expire(QueuedAcquire waiter)
    {
        RateLimitLease lease;
        lock (Gate)
        {
            if (!waiter.IsQueued)
            {
                return;
            }

            Leave(waiter);
            var quota = Current();
            lease = Fail(quota.Until(waiter.Permits), quota);
        }

        waiter.Complete(lease);
    }

    private static T Wait<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private async ValueTask<RateLimitLease> AcquireRemoteAsync(int permits, CancellationToken cancellationToken)
    {
        bool attemptNow;
        lock (Gate)
        {
            attemptNow = permits == 0 || _queue.Count == 0 || _adapter.IsNewestFirst;
        }

        RateLimitDecision decision;
        Quota quota;
        if (permits == 0)
        {
            quota = Quota.From(await Limiter.GetStatsAsync(_key, CancellationToken.None).ConfigureAwait(false));
            decision = quota.Remaining >= 1 ? RateLimitDecision.Acquired : RateLimitDecision.Rejected(quota.Until(1));
        }
        else if (attemptNow)
        {
            (decision, quota) = await AttemptRemoteAsync(permits).ConfigureAwait(false);
        }
        else
        {
            lock (Gate)
            {
                quota = Current();
                decision = RateLimitDecision.Rejected(quota.Until(permits + _queuedPermits));
            }
        }

        ValueTask<RateLimitLease> queued;
        lock (Gate)
        {
            Observe(quota);
            if (decision.IsAcquired)
            {
                // Taken before any dispose could stop it: the caller owns the permits.
                return Grant();
            }

            if (_adapter.IsDisposed)
            {
                return ThrottleLease.Disposed;
            }

            queued = Enqueue(permits, decision.RetryAfter, quota, cancellationToken);
        }

        return await queued.ConfigureAwait(false);
    }

    /// <summary>
    /// One attempt on remote storage: one script, whose decision carries the key's quota. For a limiter whose decisions
    /// do not carry it, the key's statistics read goes right behind the attempt (pipelined: one round trip).
    /// </summary>
    private async ValueTask<(RateLimitDecision Decision, Quota Quota)> AttemptRemoteAsync(int permits)
    {
        if (!Limiter.DecisionsCarryQuota)
        {
            return await AttemptWithStatsAsync(permits).ConfigureAwait(false);
        }

        var decision = await Limiter.AttemptAcquireUncheckedAsync(_key, permits, CancellationToken.None).ConfigureAwait(false);

        // No quota only when the storage did not answer (its failure policy decided): the statistics read says what
        // the policy reports, as it did before decisions carried the quota.
        return (decision, decision.TryGetQuota(out var stats) ? Quota.From(stats) : await ReadRemoteOrEstimateAsync().ConfigureAwait(false));
    }

    private async ValueTask<Quota> ReadRemoteOrEstimateAsync()
    {
        try
        {
            return Quota.From(await Limiter.GetStatsAsync(_key, CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception)
        {
            // Only the metadata is missing: estimate it from what was seen before.
            lock (Gate)
            {
                return Current();
            }
        }
    }

    /// <summary>One attempt on remote storage with the key's statistics read right behind it (pipelined: one round trip).</summary>
    private async ValueTask<(RateLimitDecision Decision, Quota Quota)> AttemptWithStatsAsync(int permits)
    {
        var attempt = Limiter.AttemptAcquireUncheckedAsync(_key, permits, CancellationToken.None).AsTask();
        var stats = Limiter.GetStatsAsync(_key, CancellationToken.None).AsTask();
        RateLimitDecision decision;
        try
        {
            decision = await attempt.ConfigureAwait(false);
        }
        catch (Exception)
        {
            _ = stats.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }

        Quota quota;
        try
        {
            quota = Quota.From(await stats.ConfigureAwait(false));
        }
        catch (Exception)
        {
            // Only the metadata is missing: estimate it from what was seen before.
            lock (Gate)
            {
                quota = Current();
            }
        }

        return (decision, quota);
    }

    /// <summary>Under the lock: queue the acquisition, or fail it as STRL's limiters do when the queue has no room.</summary>
    private ValueTask<RateLimitLease> Enqueue(int permits, TimeSpan retryAfter, Quota quota, CancellationToken cancellationToken)
    {
        var options = _adapter.Options;
        if (options.QueueLimit - _queuedPermits < permits)
        {
            if (!_adapter.IsNewestFirst || permits > options.QueueLimit)
            {
                return new ValueTask<RateLimitLease>(Fail(retryAfter, quota));
            }

            // Newest first: the oldest waiters make room for the newcomer.
            while (options.QueueLimit - _queuedPermits < permits && _queue.First is { } oldest)
            {
                Leave(oldest.Value);
                oldest.Value.Complete(Fail(retryAfter, quota));
            }
        }

        if (_queue.Count == 0 && options.MaxWait != Timeout.InfiniteTimeSpan && retryAfter > options.MaxWait)
        {
            // The next permit is further away than the caller will wait: say so now rather than after waiting in vain.
            return new ValueTask<RateLimitLease>(Fail(retryAfter, quota));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
        }

        var waiter = new QueuedAcquire(this, permits, Clock.GetTimestamp());
        waiter.Node = _queue.AddLast(waiter);
        _queuedPermits += permits;
        waiter.Arm(options.MaxWait, Clock, cancellationToken);
        if (!_pumping)
        {
            _pumping = true;
            _ = PumpAsync(retryAfter > MinimumRetryDelay ? retryAfter : MinimumRetryDelay);
        }

        return new ValueTask<RateLimitLease>(waiter.Task);
    }

    /// <summary>Serves the queue until it is empty: waits for the next waiter's RetryAfter, attempts, repeats.</summary>
    private async Task PumpAsync(TimeSpan delay)
    {
        while (true)
        {
            if (delay != ServeNow)
            {
                try
                {
                    // A slow limit can name a moment beyond what one timer takes: LongTimer waits for it in chunks.
                    await Internal.LongTimer.Delay(delay > MinimumRetryDelay ? delay : MinimumRetryDelay, Clock, _adapter.Disposing)
                        .ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Disposed. The view ends the waits of the partitions it knows; this also covers one it no longer
                    // tracks (swept while a caller still held it).
                    lock (Gate)
                    {
                        _pumping = false;
                    }

                    EndWaits();
                    return;
                }
            }

            delay = _adapter.DecidesInProcess ? ServeInProcess() : await ServeRemoteAsync().ConfigureAwait(false);
            if (delay == Stop)
            {
                return;
            }
        }
    }

    private TimeSpan ServeInProcess()
    {
        lock (Gate)
        {
            if (NextWaiter() is not { } next)
            {
                return Stop;
            }

            try
            {
                RateLimitDecision decision;
                if (next.Permits == 0)
                {
                    var available = Read();
                    Observe(available);
                    decision = available.Remaining >= 1 ? RateLimitDecision.Acquired : RateLimitDecision.Rejected(available.Until(1));
                }
                else
                {
                    decision = Wait(Limiter.AttemptAcquireUncheckedAsync(_key, next.Permits, CancellationToken.None));
                    Observe(After(decision));
                }

                return Decided(next, decision);
            }
            catch (Exception ex)
            {
                Leave(next);
                next.CompleteFailed(ex);
                return ServeNow;
            }
        }
    }

    private async ValueTask<TimeSpan> ServeRemoteAsync()
    {
        QueuedAcquire? next;
        lock (Gate)
        {
            next = NextWaiter();
        }

        if (next is null)
        {
            return Stop;
        }

        RateLimitDecision decision;
        Quota quota;
        try
        {
            if (next.Permits == 0)
            {
                quota = Quota.From(await Limiter.GetStatsAsync(_key, CancellationToken.None).ConfigureAwait(false));
                decision = quota.Remaining >= 1 ? RateLimitDecision.Acquired : RateLimitDecision.Rejected(quota.Until(1));
            }
            else
            {
                (decision, quota) = await AttemptRemoteAsync(next.Permits).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The storage failed (Redis down and the storage throws): this waiter's caller observes it; the next is tried.
            lock (Gate)
            {
                if (!next.IsQueued)
                {
                    return ServeNow;
                }

                Leave(next);
            }

            next.CompleteFailed(ex);
            return ServeNow;
        }

        lock (Gate)
        {
            Observe(quota);
            if (next.IsQueued || !decision.IsAcquired)
            {
                return next.IsQueued ? Decided(next, decision) : ServeNow;
            }
        }

        // Granted to a waiter that left the queue while we asked (cancelled, expired, disposed): give the permits back.
        try
        {
            await Limiter.ReleaseUncheckedAsync(_key, next.Permits, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Nothing to give back to: the storage failed; the permits refill at the limiter's rate.
        }

        return ServeNow;
    }

    /// <summary>Under the lock, with <paramref name="next"/> still queued: grant it, fail it (past its wait), or wait for RetryAfter.</summary>
    private TimeSpan Decided(QueuedAcquire next, RateLimitDecision decision)
    {
        if (decision.IsAcquired)
        {
            Leave(next);
            next.Complete(Grant());
            return ServeNow;
        }

        var maxWait = _adapter.Options.MaxWait;
        if (maxWait != Timeout.InfiniteTimeSpan && decision.RetryAfter > maxWait - Clock.GetElapsedTime(next.Started))
        {
            Leave(next);
            var quota = Current();
            next.Complete(Fail(decision.RetryAfter, quota));
            return ServeNow;
        }

        return decision.RetryAfter;
    }

    /// <summary>Under the lock: the waiter served next, or <see langword="null"/> (and the pump stops) when none or disposed.</summary>
    private QueuedAcquire? NextWaiter()
    {
        var node = _adapter.IsDisposed ? null : _adapter.IsNewestFirst ? _queue.Last : _queue.First;
        if (node is null)
        {
            _pumping = false;
        }

        return node?.Value;
    }

    private void Leave(QueuedAcquire waiter)
    {
        _queue.Remove(waiter.Node!);
        _queuedPermits -= waiter.Permits;
    }

    private GrantedLease Grant()
    {
        _successful++;
        return Granted;
    }

    private ThrottleLease Fail(TimeSpan retryAfter, Quota quota)
    {
        _failed++;
        return ThrottleLease.Rejected(retryAfter, quota);
    }

    /// <summary>The key's quota now: read (memory) or estimated from the last one seen (remote, no round trip).</summary>
    private Quota Current()
    {
        if (_adapter.DecidesInProcess)
        {
            return Read();
        }

        return _hasQuota ? _quota.After(Clock.GetElapsedTime(_quotaAt)) : FreshQuota();
    }

    private Quota Read() => Quota.From(Wait(Limiter.GetStatsAsync(_key, CancellationToken.None)));

    /// <summary>In process, under the lock: the quota the decision carries, else read.</summary>
    private Quota After(RateLimitDecision decision) => decision.TryGetQuota(out var stats) ? Quota.From(stats) : Read();

    /// <summary>
    /// Records the quota seen now. A full one that was already expected to be full is not recorded, so that the moment
    /// the key became full (what <see cref="IdleDuration"/> counts from) is kept.
    /// </summary>
    private void Observe(Quota quota)
    {
        if (quota.IsFull && (!_hasQuota || Clock.GetElapsedTime(_quotaAt) >= _quota.Reset))
        {
            return;
        }

        _quota = quota;
        _quotaAt = Clock.GetTimestamp();
        _hasQuota = true;
    }

    private Quota FreshQuota() => new(Limiter.Capacity, Limiter.Capacity, 1);
}
