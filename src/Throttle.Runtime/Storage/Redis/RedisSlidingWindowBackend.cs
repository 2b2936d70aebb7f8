using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// Sliding window log on Redis: a sorted set of admitted requests per key (score = server time in µs) and the sum of
/// their tokens. Members are unique across processes: a random per-backend id and a sequence number.
/// </summary>
internal sealed class RedisSlidingWindowBackend : RedisLimiterBackend
{
    private readonly string _memberPrefix = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + ":";
    private readonly RedisValue _windowMicroseconds;
    private long _sequence;

    public RedisSlidingWindowBackend(RedisStorage storage, string scope, TimeSpan window)
        : base(storage, scope)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _windowMicroseconds = Number(window.Ticks / 10.0);
    }

    public override ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken)
    {
        var member = _memberPrefix + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
        return AcquireAsync(RedisScripts.SlidingWindowAcquire, Keys(key), [Format(rate).Capacity, _windowMicroseconds, Tokens(tokens), member], cancellationToken);
    }

    public override ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        ReleaseAsync(RedisScripts.SlidingWindowRelease, Keys(key), [Tokens(tokens), _windowMicroseconds], cancellationToken);

    public override ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken) =>
        StatsAsync(RedisScripts.SlidingWindowStats, Keys(key), [Format(rate).Capacity, _windowMicroseconds], rate, cancellationToken);

    private RedisKey[] Keys(string key) => [Key(key, RedisKeys.SlidingWindowLog), Key(key, RedisKeys.SlidingWindowSum)];
}
