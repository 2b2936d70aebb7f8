using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// Token bucket on Redis: one string per key (<c>'tokens updated'</c>, server µs, expiring when full; see
/// <see cref="RedisScripts.TokenBucketAcquire"/>). Concurrent acquisitions of one key share a call (<see cref="RedisAcquireCoalescer"/>).
/// </summary>
internal sealed class RedisTokenBucketBackend : RedisLimiterBackend
{
    private const string Suffix = RedisKeys.TokenBucket;

    private readonly RedisAcquireCoalescer _coalescer;

    public RedisTokenBucketBackend(RedisStorage storage, string scope)
        : base(storage, scope)
    {
        _coalescer = new RedisAcquireCoalescer(this);
    }

    public override ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken)
    {
        RedisKeys.Part(key, nameof(key)); // bad keys fail the caller alone, before it joins a batch
        return _coalescer.AcquireAsync(key, tokens, rate, cancellationToken);
    }

    public override ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        ReleaseAsync(RedisScripts.TokenBucketRelease, [Key(key, Suffix)], RateArguments(rate, tokens), cancellationToken);

    public override ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken) =>
        StatsAsync(RedisScripts.TokenBucketStats, [Key(key, Suffix)], RateArguments(rate), rate, cancellationToken);

    internal override ValueTask<RateLimitDecision> AcquireAloneAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        AcquireAsync(RedisScripts.TokenBucketAcquire, [Key(key, Suffix)], RateArguments(rate, tokens), rate, cancellationToken);

    internal override ValueTask<RedisResult> SendBatchAsync(string key, LimiterRate rate, List<RedisAcquireCoalescer.Waiter> batch)
    {
        var formatted = Format(rate);
        if (AsksEqual(batch))
        {
            return Layer.EvaluateAsync(
                RedisScripts.TokenBucketAcquire,
                [Key(key, Suffix)],
                [formatted.Capacity, formatted.PerSecond, Tokens(batch[0].Tokens), batch.Count],
                CancellationToken.None);
        }

        var args = new RedisValue[2 + batch.Count];
        args[0] = formatted.Capacity;
        args[1] = formatted.PerSecond;
        for (var i = 0; i < batch.Count; i++)
        {
            args[2 + i] = Tokens(batch[i].Tokens);
        }

        return Layer.EvaluateAsync(RedisScripts.TokenBucketAcquireEach, [Key(key, Suffix)], args, CancellationToken.None);
    }
}
