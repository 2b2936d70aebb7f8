using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>Token bucket on Redis: one hash per key (<c>t</c> = tokens, <c>u</c> = last refill, server µs).</summary>
internal sealed class RedisTokenBucketBackend(RedisStorage storage, string scope) : RedisLimiterBackend(storage, scope)
{
    private const string Suffix = RedisKeys.TokenBucket;

    public override ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        AcquireAsync(RedisScripts.TokenBucketAcquire, [Key(key, Suffix)], RateArguments(rate, tokens), cancellationToken);

    public override ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        ReleaseAsync(RedisScripts.TokenBucketRelease, [Key(key, Suffix)], RateArguments(rate, tokens), cancellationToken);

    public override ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken) =>
        StatsAsync(RedisScripts.TokenBucketStats, [Key(key, Suffix)], RateArguments(rate), rate, cancellationToken);
}
