using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters;
using Throttle.Storage.Memory;

namespace Throttle.Interop;

/// <summary>
/// The mapping of System.Threading.RateLimiting's acquire semantics onto a <see cref="ThrottleLimiter"/> key, shared by
/// the plain and the partitioned adapter:
/// <list type="bullet">
/// <item><c>AttemptAcquire(n)</c> = one <c>AttemptAcquireAsync(key, n)</c>; a rejection carries RetryAfter.</item>
/// <item><c>AcquireAsync(n)</c> = Throttle's waiting in place of a queue: wait the computed RetryAfter and try again, for
/// at most <c>maxWait</c> (zero: never wait, like a queue limit of 0). When the next permit is further away than the
/// wait left, the lease fails at once with RetryAfter.</item>
/// <item><c>permitCount = 0</c>: <c>AttemptAcquire</c> tells whether a permit is available without taking it;
/// <c>AcquireAsync</c> waits until one is.</item>
/// </list>
/// The synchronous <c>AttemptAcquire</c> blocks when the limiter's storage is remote (Redis); prefer <c>AcquireAsync</c> there.
/// </summary>
internal sealed class LimiterAdapter(ThrottleLimiter limiter, TimeSpan maxWait) : IDisposable
{
    private static readonly TimeSpan MinimumRetryDelay = TimeSpan.FromMilliseconds(1);

    private readonly CancellationTokenSource _disposed = new();
    private long _successful;
    private long _failed;
    private long _waiting;

    public ThrottleLimiter Limiter { get; } = limiter;

    public bool IsDisposed => _disposed.IsCancellationRequested;

    public RateLimitLease Attempt(string key, int permitCount)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Validate(permitCount);
        RateLimitLease lease;
        if (permitCount == 0)
        {
            var stats = Wait(Limiter.GetStatsAsync(key));
            lease = stats.AvailableTokens >= 1 ? ThrottleLease.Granted : ThrottleLease.Rejected(UntilOneToken(stats));
        }
        else
        {
            var decision = Wait(Limiter.AttemptAcquireUncheckedAsync(key, permitCount, CancellationToken.None));
            lease = decision.IsAcquired ? ThrottleLease.Granted : ThrottleLease.Rejected(decision.RetryAfter);
        }

        Count(lease);
        return lease;
    }

    public ValueTask<RateLimitLease> AcquireAsync(string key, int permitCount, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Validate(permitCount);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
        }

        if (permitCount > 0)
        {
            var attempt = Limiter.AttemptAcquireUncheckedAsync(key, permitCount, cancellationToken);
            if (!attempt.IsCompletedSuccessfully)
            {
                return WaitAsync(attempt, key, permitCount, cancellationToken);
            }

            var decision = attempt.Result;
            if (decision.IsAcquired)
            {
                Interlocked.Increment(ref _successful);
                return new ValueTask<RateLimitLease>(ThrottleLease.Granted);
            }

            if (decision.RetryAfter > maxWait && maxWait != Timeout.InfiniteTimeSpan)
            {
                return new ValueTask<RateLimitLease>(Failed(decision.RetryAfter));
            }

            return WaitAsync(new ValueTask<RateLimitDecision>(decision), key, permitCount, cancellationToken);
        }

        return WaitAsync(default, key, 0, cancellationToken);
    }

    public RateLimiterStatistics GetStatistics(string key)
    {
        var stats = Wait(Limiter.GetStatsAsync(key));
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = (long)Math.Floor(stats.AvailableTokens),
            CurrentQueuedCount = Interlocked.Read(ref _waiting),
            TotalSuccessfulLeases = Interlocked.Read(ref _successful),
            TotalFailedLeases = Interlocked.Read(ref _failed),
        };
    }

    /// <summary>Ends the waits in progress (they get a failed lease); the limiter itself is shared and stays usable.</summary>
    public void Dispose()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
            _disposed.Dispose();
        }
    }

    private static T Wait<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    // Saturates at TimeSpan.MaxValue: on a very slow limit (a period near 1e13 s) the moment is beyond any TimeSpan.
    private static TimeSpan UntilOneToken(LimiterStats stats) =>
        MemoryClock.SecondsToDelay(Math.Max(0, 1 - stats.AvailableTokens) / stats.RefillRate);

    private void Validate(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        if (permitCount > Limiter.Capacity)
        {
            throw new ArgumentOutOfRangeException(
                nameof(permitCount),
                permitCount,
                $"Requesting {permitCount} permits can never succeed: this limiter holds at most {Limiter.Capacity} per key.");
        }
    }

    private void Count(RateLimitLease lease) =>
        Interlocked.Increment(ref lease.IsAcquired ? ref _successful : ref _failed);

    private async ValueTask<RateLimitLease> WaitAsync(
        ValueTask<RateLimitDecision> firstAttempt, string key, int permitCount, CancellationToken cancellationToken)
    {
        var started = Limiter.TimeProvider.GetTimestamp();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        Interlocked.Increment(ref _waiting);
        try
        {
            var first = true;
            while (true)
            {
                TimeSpan retryAfter;
                if (permitCount == 0)
                {
                    var stats = await Limiter.GetStatsAsync(key, linked.Token).ConfigureAwait(false);
                    if (stats.AvailableTokens >= 1)
                    {
                        return Granted();
                    }

                    retryAfter = UntilOneToken(stats);
                }
                else
                {
                    var decision = first
                        ? await firstAttempt.ConfigureAwait(false)
                        : await Limiter.AttemptAcquireUncheckedAsync(key, permitCount, linked.Token).ConfigureAwait(false);
                    if (decision.IsAcquired)
                    {
                        return Granted();
                    }

                    retryAfter = decision.RetryAfter;
                }

                first = false;
                if (maxWait != Timeout.InfiniteTimeSpan && retryAfter > maxWait - Limiter.TimeProvider.GetElapsedTime(started))
                {
                    return Failed(retryAfter);
                }

                // A rejection always names a future moment; the floor keeps a zero from turning into a spin. The moment
                // can be beyond what one timer takes (a slow limit): LongTimer waits for it in chunks.
                await LongTimer.Delay(retryAfter > MinimumRetryDelay ? retryAfter : MinimumRetryDelay, Limiter.TimeProvider, linked.Token)
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && IsDisposed)
        {
            Interlocked.Increment(ref _failed);
            return ThrottleLease.Rejected(TimeSpan.Zero);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private ThrottleLease Failed(TimeSpan retryAfter)
    {
        Interlocked.Increment(ref _failed);
        return ThrottleLease.Rejected(retryAfter);
    }

    private ThrottleLease Granted()
    {
        Interlocked.Increment(ref _successful);
        return ThrottleLease.Granted;
    }
}
