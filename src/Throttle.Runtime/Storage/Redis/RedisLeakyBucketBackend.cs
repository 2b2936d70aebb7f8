using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>Leaky bucket on Redis: one hash per key (<c>l</c> = level, <c>u</c> = last leak, server µs).</summary>
internal sealed class RedisLeakyBucketBackend(RedisStorage storage, string scope) : RedisLimiterBackend(storage, scope)
{
    private const string Suffix = RedisKeys.LeakyBucket;

    public override ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        AcquireAsync(RedisScripts.LeakyBucketAcquire, [Key(key, Suffix)], RateArguments(rate, tokens), cancellationToken);

    public override ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        ReleaseAsync(RedisScripts.LeakyBucketRelease, [Key(key, Suffix)], RateArguments(rate, tokens), cancellationToken);

    public override ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken) =>
        StatsAsync(RedisScripts.LeakyBucketStats, [Key(key, Suffix)], RateArguments(rate), rate, cancellationToken);
}
