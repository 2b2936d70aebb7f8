using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;

namespace Throttle.Limiters;

/// <summary>
/// A keyed rate limiter: every key has its own state, so one limiter can bound each user, tenant or endpoint
/// separately. The base class validates arguments and implements waiting; algorithms implement
/// <see cref="AttemptAcquireCoreAsync"/>, <see cref="ReleaseCoreAsync"/> and <see cref="GetStatsCoreAsync"/>.
/// </summary>
/// <remarks>Instances are safe for concurrent use.</remarks>
public abstract class ThrottleLimiter
{
    /// <summary>The shortest wait between attempts: a rejection always names a future moment, and a zero must not spin.</summary>
    private protected static readonly TimeSpan MinimumRetryDelay = TimeSpan.FromMilliseconds(1);

    /// <summary>Creates a limiter in <paramref name="scope"/> that reads time from <paramref name="timeProvider"/>.</summary>
    /// <param name="scope">Namespace of the limiter's state; limiters of one kind and scope share state per key.</param>
    /// <param name="timeProvider">The clock used for waiting.</param>
    protected ThrottleLimiter(string scope, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Scope = scope;
        TimeProvider = timeProvider;
    }

    /// <summary>Namespace of this limiter's state.</summary>
    public string Scope { get; }

    /// <summary>The clock this limiter waits on.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The metrics hook of the runtime that created or registered this limiter; null for a limiter of your own.</summary>
    internal Telemetry.RateLimitTelemetry? Telemetry { get; set; }

    /// <summary>The most tokens one key can hold; a request for more can never succeed.</summary>
    public abstract double Capacity { get; }

    /// <summary>Takes <paramref name="tokens"/> for <paramref name="key"/> if they are available now.</summary>
    /// <returns><see langword="true"/> if the tokens were taken; <see langword="false"/> if the limit is exhausted.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is not positive and finite, or exceeds <see cref="Capacity"/>.</exception>
    public ValueTask<bool> TryAcquireAsync(string key, double tokens = 1, CancellationToken cancellationToken = default)
    {
        // A token bucket in process (sealed: one type check), with arguments that pass the checks below, decides here:
        // no virtual call for the capacity or the attempt. NaN and infinities fail the range test and take the checks.
        if (this is TokenBucketLimiter { InProcess: { } bucket } limiter
            && tokens > 0 && tokens <= limiter.Burst && !string.IsNullOrEmpty(key) && !cancellationToken.IsCancellationRequested)
        {
            return new ValueTask<bool>(bucket.TryAcquireNow(key, tokens, out _));
        }

        return TryAcquireCheckedAsync(key, tokens, cancellationToken);
    }

    // The rest of TryAcquireAsync, out of line: its ValueTask locals would otherwise widen the fast path's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<bool> TryAcquireCheckedAsync(string key, double tokens, CancellationToken cancellationToken)
    {
        Guard.Key(key);
        ValidateTokens(tokens);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        // In process the decision is synchronous: no RateLimitDecision (with its quota) to build and unwrap.
        var immediate = TryAcquireImmediately(key, tokens, out _);
        if (immediate != ImmediateAttempt.Unavailable)
        {
            return new ValueTask<bool>(immediate == ImmediateAttempt.Acquired);
        }

        var pending = AttemptAcquireCoreAsync(key, tokens, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<bool>(pending.Result.IsAcquired)
            : AwaitIsAcquired(pending);

        static async ValueTask<bool> AwaitIsAcquired(ValueTask<RateLimitDecision> pending) =>
            (await pending.ConfigureAwait(false)).IsAcquired;
    }

    /// <summary>
    /// Takes <paramref name="tokens"/> for <paramref name="key"/> if they are available now, and otherwise says how long
    /// until they are expected to be.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is not positive and finite, or exceeds <see cref="Capacity"/>.</exception>
    public ValueTask<RateLimitDecision> AttemptAcquireAsync(string key, double tokens = 1, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        ValidateTokens(tokens);
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<RateLimitDecision>(cancellationToken)
            : AttemptAcquireCoreAsync(key, tokens, cancellationToken);
    }

    /// <summary>
    /// Takes <paramref name="tokens"/> for <paramref name="key"/>, waiting at most <paramref name="maxWait"/>. The wait is
    /// computed from the limiter's state (no polling); when the expected wait exceeds what is left of
    /// <paramref name="maxWait"/> the call fails at once instead of sleeping in vain.
    /// </summary>
    /// <param name="key">The key whose tokens are taken.</param>
    /// <param name="tokens">How many tokens to take.</param>
    /// <param name="maxWait">
    /// The longest to wait; <see cref="TimeSpan.Zero"/> never waits; <see langword="null"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.
    /// </param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <exception cref="RateLimitRejectedException">No permit within <paramref name="maxWait"/>; carries <c>RetryAfter</c>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="tokens"/> is not positive and finite or exceeds <see cref="Capacity"/>, or <paramref name="maxWait"/> is negative.
    /// </exception>
    public ValueTask AcquireAsync(string key, double tokens = 1, TimeSpan? maxWait = null, CancellationToken cancellationToken = default)
    {
        var wait = Guard.NonNegativeOrInfinite(maxWait ?? Timeout.InfiniteTimeSpan, nameof(maxWait));
        Guard.Key(key);
        ValidateTokens(tokens);
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled(cancellationToken)
            : AcquireCoreAsync(key, tokens, wait, cancellationToken);
    }

    /// <summary>Returns <paramref name="tokens"/> to <paramref name="key"/> (for example when an operation is abandoned), never above <see cref="Capacity"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is not positive and finite.</exception>
    public ValueTask ReleaseAsync(string key, double tokens = 1, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        Guard.PositiveFinite(tokens, nameof(tokens));
        return ReleaseCoreAsync(key, tokens, cancellationToken);
    }

    /// <summary>Reads <paramref name="key"/>'s state without changing it.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public ValueTask<LimiterStats> GetStatsAsync(string key, CancellationToken cancellationToken = default)
    {
        Guard.Key(key);
        return GetStatsCoreAsync(key, cancellationToken);
    }

    /// <summary>The algorithm's attempt; arguments are already validated.</summary>
    protected abstract ValueTask<RateLimitDecision> AttemptAcquireCoreAsync(string key, double tokens, CancellationToken cancellationToken);

    /// <summary>The algorithm's release; arguments are already validated.</summary>
    protected abstract ValueTask ReleaseCoreAsync(string key, double tokens, CancellationToken cancellationToken);

    /// <summary>The algorithm's statistics; arguments are already validated.</summary>
    protected abstract ValueTask<LimiterStats> GetStatsCoreAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// The generated wrapper's path (through <see cref="Infrastructure.RateLimitSite"/>): one token, a key and a maximum
    /// wait the site has already validated. Only the token count against the capacity is still checked.
    /// </summary>
    internal ValueTask AcquireOneUncheckedAsync(string key, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (Capacity < 1)
        {
            ValidateTokens(1);
        }

        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled(cancellationToken)
            : AcquireCoreAsync(key, 1, maxWait, cancellationToken);
    }

    /// <summary>
    /// The waiting acquire; arguments are already validated. By default: attempt, and while rejected wait the computed
    /// <c>RetryAfter</c> and attempt again. A limiter that schedules its callers (the leaky bucket) replaces it.
    /// </summary>
    private protected virtual ValueTask AcquireCoreAsync(string key, double tokens, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        switch (TryAcquireImmediately(key, tokens, out var retryAfter))
        {
            case ImmediateAttempt.Acquired:
                return default;
            case ImmediateAttempt.Rejected:
                return WaitAfterRejectionAsync(key, tokens, retryAfter, maxWait, cancellationToken);
        }

        var attempt = AttemptAcquireCoreAsync(key, tokens, cancellationToken);
        if (!attempt.IsCompletedSuccessfully)
        {
            return WaitForPermitAsync(attempt, key, tokens, maxWait, cancellationToken);
        }

        var decision = attempt.Result;
        return decision.IsAcquired
            ? default
            : WaitForPermitAsync(new ValueTask<RateLimitDecision>(decision), key, tokens, maxWait, cancellationToken);
    }

    /// <summary>
    /// The attempt of <see cref="AttemptAcquireCoreAsync"/> decided synchronously, for a limiter whose storage is in
    /// process (the token bucket on <see cref="Storage.MemoryStorage"/>): the same decision, without a
    /// <see cref="ValueTask{TResult}"/> or the quota. <see cref="ImmediateAttempt.Unavailable"/> (the default) sends the
    /// caller to the asynchronous attempt. Arguments are already validated and the token not cancelled.
    /// </summary>
    /// <param name="key">The key whose tokens are taken.</param>
    /// <param name="tokens">How many tokens to take.</param>
    /// <param name="retryAfter">When rejected, the expected wait; otherwise zero.</param>
    internal virtual ImmediateAttempt TryAcquireImmediately(string key, double tokens, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        return ImmediateAttempt.Unavailable;
    }

    /// <summary>
    /// Whether this limiter's decisions carry the key's quota after the call (<see cref="RateLimitDecision.TryGetQuota"/>)
    /// whenever its storage answered: true for the built-in single-backend limiters, whose backends read it in the same
    /// atomic step. A caller needing the quota of other limiters reads <see cref="GetStatsAsync"/>.
    /// </summary>
    internal virtual bool DecisionsCarryQuota => false;

    /// <summary>The algorithm's attempt for callers inside Throttle that validated the arguments (composite, interop).</summary>
    internal ValueTask<RateLimitDecision> AttemptAcquireUncheckedAsync(string key, double tokens, CancellationToken cancellationToken) =>
        AttemptAcquireCoreAsync(key, tokens, cancellationToken);

    /// <summary>The algorithm's release for callers inside Throttle that validated the arguments.</summary>
    internal ValueTask ReleaseUncheckedAsync(string key, double tokens, CancellationToken cancellationToken) =>
        ReleaseCoreAsync(key, tokens, cancellationToken);

    /// <summary>Throws unless <paramref name="tokens"/> is positive, finite and within <see cref="Capacity"/>.</summary>
    internal void ValidateTokens(double tokens)
    {
        Guard.PositiveFinite(tokens, nameof(tokens));
        if (tokens > Capacity)
        {
            throw new ArgumentOutOfRangeException(
                nameof(tokens),
                tokens,
                $"Requesting {tokens} tokens can never succeed: this limiter holds at most {Capacity} per key.");
        }
    }

    /// <summary>The waiting acquire's rest after a first attempt that was rejected with <paramref name="retryAfter"/>.</summary>
    private protected ValueTask WaitAfterRejectionAsync(string key, double tokens, TimeSpan retryAfter, TimeSpan maxWait, CancellationToken cancellationToken) =>
        WaitForPermitAsync(new ValueTask<RateLimitDecision>(RateLimitDecision.Rejected(retryAfter)), key, tokens, maxWait, cancellationToken);

    private async ValueTask WaitForPermitAsync(
        ValueTask<RateLimitDecision> firstAttempt, string key, double tokens, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        var decision = await firstAttempt.ConfigureAwait(false);
        while (!decision.IsAcquired)
        {
            var retryAfter = decision.RetryAfter > MinimumRetryDelay ? decision.RetryAfter : MinimumRetryDelay;
            if (maxWait != Timeout.InfiniteTimeSpan)
            {
                var remaining = maxWait - TimeProvider.GetElapsedTime(started);
                if (retryAfter > remaining)
                {
                    throw new RateLimitRejectedException(key, retryAfter, maxWait);
                }
            }

            // A slow limit can name a moment beyond what one timer takes (1 per 1e8 s): wait for it in chunks.
            await LongTimer.Delay(retryAfter, TimeProvider, cancellationToken).ConfigureAwait(false);
            decision = await AttemptAcquireCoreAsync(key, tokens, cancellationToken).ConfigureAwait(false);
        }
    }
}
