using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Limiters;

/// <summary>
/// Several limiters as one: a request passes only if every limiter admits it. Tokens taken from the limiters that
/// admitted are given back when a later one rejects, so a rejection consumes nothing; the rejection's RetryAfter is the
/// rejecting limiter's.
/// </summary>
/// <remarks>
/// Limiters are asked in order, O(N). Each keeps its own state, storage and scope; the composite itself holds none.
/// Between a take and its give-back other callers may briefly see the tokens as taken.
/// </remarks>
public sealed class CompositeLimiter : ThrottleLimiter
{
    private readonly ThrottleLimiter[] _limiters;

    /// <summary>Combines <paramref name="limiters"/>.</summary>
    /// <param name="limiters">At least one limiter, none null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="limiters"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="limiters"/> is empty or holds a null.</exception>
    public CompositeLimiter(IEnumerable<ThrottleLimiter> limiters)
        : this(Snapshot(limiters))
    {
    }

    private CompositeLimiter(ThrottleLimiter[] limiters)
        : base("composite", limiters[0].TimeProvider)
    {
        _limiters = limiters;
        Limiters = Array.AsReadOnly(limiters);
        // Every limiter's capacity is fixed at construction (an adaptive one reports its maximum), so compute it once.
        Capacity = limiters.Min(static l => l.Capacity);
    }

    /// <summary>The combined limiters, in the order they are asked.</summary>
    public IReadOnlyList<ThrottleLimiter> Limiters { get; }

    /// <summary>The smallest capacity among the limiters: a request above it could never pass all of them.</summary>
    public override double Capacity { get; }

    /// <inheritdoc />
    protected override ValueTask<RateLimitDecision> AttemptAcquireCoreAsync(string key, double tokens, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _limiters.Length; i++)
        {
            var pending = _limiters[i].AttemptAcquireUncheckedAsync(key, tokens, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return AttemptSlowAsync(pending, i, key, tokens, cancellationToken);
            }

            var decision = pending.Result;
            if (!decision.IsAcquired)
            {
                return RollBackAsync(i, decision, key, tokens);
            }
        }

        return new ValueTask<RateLimitDecision>(RateLimitDecision.Acquired);
    }

    /// <inheritdoc />
    protected override async ValueTask ReleaseCoreAsync(string key, double tokens, CancellationToken cancellationToken)
    {
        foreach (var limiter in _limiters)
        {
            await limiter.ReleaseUncheckedAsync(key, Math.Min(tokens, limiter.Capacity), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The stats of the most constrained limiter (the fewest available tokens).</summary>
    protected override async ValueTask<LimiterStats> GetStatsCoreAsync(string key, CancellationToken cancellationToken)
    {
        LimiterStats? tightest = null;
        foreach (var limiter in _limiters)
        {
            var stats = await limiter.GetStatsAsync(key, cancellationToken).ConfigureAwait(false);
            if (tightest is null || stats.AvailableTokens < tightest.Value.AvailableTokens)
            {
                tightest = stats;
            }
        }

        return tightest!.Value;
    }

    private static ThrottleLimiter[] Snapshot(IEnumerable<ThrottleLimiter> limiters)
    {
        ArgumentNullException.ThrowIfNull(limiters);
        var array = limiters.ToArray();
        if (array.Length == 0)
        {
            throw new ArgumentException("A composite limiter needs at least one limiter.", nameof(limiters));
        }

        if (Array.IndexOf(array, null) >= 0)
        {
            throw new ArgumentException("The limiters must not contain null.", nameof(limiters));
        }

        return array;
    }

    private async ValueTask<RateLimitDecision> AttemptSlowAsync(
        ValueTask<RateLimitDecision> pending, int index, string key, double tokens, CancellationToken cancellationToken)
    {
        for (var i = index; i < _limiters.Length; i++)
        {
            RateLimitDecision decision;
            try
            {
                decision = i == index
                    ? await pending.ConfigureAwait(false)
                    : await _limiters[i].AttemptAcquireUncheckedAsync(key, tokens, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Whatever failed (cancellation, storage), the tokens already taken go back.
                await RollBackAsync(i, RateLimitDecision.Rejected(TimeSpan.Zero), key, tokens).ConfigureAwait(false);
                throw;
            }

            if (!decision.IsAcquired)
            {
                return await RollBackAsync(i, decision, key, tokens).ConfigureAwait(false);
            }
        }

        return RateLimitDecision.Acquired;
    }

    /// <summary>Gives back the tokens taken from the limiters before <paramref name="rejectedAt"/>, newest first.</summary>
    private async ValueTask<RateLimitDecision> RollBackAsync(int rejectedAt, RateLimitDecision rejection, string key, double tokens)
    {
        for (var i = rejectedAt - 1; i >= 0; i--)
        {
            // Not cancellable: a give-back must not be skipped because the caller gave up.
            await _limiters[i].ReleaseUncheckedAsync(key, tokens, CancellationToken.None).ConfigureAwait(false);
        }

        // The quota a limiter reported is its own, not the combination's: callers read the combined one.
        return rejection.WithoutQuota();
    }
}
