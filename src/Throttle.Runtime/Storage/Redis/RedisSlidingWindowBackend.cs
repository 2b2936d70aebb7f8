using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// Sliding window log on Redis: a list of the admitted calls per key (server time in µs and tokens, one record per
/// call, a coalesced batch's admitted requests together) and a state string (their sum, and copies of the oldest
/// records, so that finding what left the window rarely reads the log; see <see cref="RedisScripts.SlidingWindowAcquire"/>).
/// Concurrent acquisitions of one key share a call (<see cref="RedisAcquireCoalescer"/>).
/// </summary>
internal sealed class RedisSlidingWindowBackend : RedisLimiterBackend
{
    private readonly RedisValue _windowMicroseconds;
    private readonly RedisAcquireCoalescer _coalescer;

    public RedisSlidingWindowBackend(RedisStorage storage, string scope, TimeSpan window)
        : base(storage, scope)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _windowMicroseconds = Number(window.Ticks / 10.0);
        _coalescer = new RedisAcquireCoalescer(this);
    }

    public override ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken)
    {
        RedisKeys.Part(key, nameof(key)); // bad keys fail the caller alone, before it joins a batch
        return _coalescer.AcquireAsync(key, tokens, rate, cancellationToken);
    }

    internal override ValueTask<RateLimitDecision> AcquireAloneAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        AcquireAsync(RedisScripts.SlidingWindowAcquire, Keys(key), [Format(rate).Capacity, _windowMicroseconds, Tokens(tokens)], rate, cancellationToken);

    internal override ValueTask<RedisResult> SendBatchAsync(string key, LimiterRate rate, List<RedisAcquireCoalescer.Waiter> batch)
    {
        var capacity = Format(rate).Capacity;
        if (AsksEqual(batch))
        {
            return Layer.EvaluateAsync(
                RedisScripts.SlidingWindowAcquire,
                Keys(key),
                [capacity, _windowMicroseconds, Tokens(batch[0].Tokens), batch.Count],
                CancellationToken.None);
        }

        var args = new RedisValue[2 + batch.Count];
        args[0] = capacity;
        args[1] = _windowMicroseconds;
        for (var i = 0; i < batch.Count; i++)
        {
            args[2 + i] = Tokens(batch[i].Tokens);
        }

        return Layer.EvaluateAsync(RedisScripts.SlidingWindowAcquireEach, Keys(key), args, CancellationToken.None);
    }

    public override ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        ReleaseAsync(RedisScripts.SlidingWindowRelease, Keys(key), [Tokens(tokens), _windowMicroseconds], cancellationToken);

    public override ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken) =>
        StatsAsync(RedisScripts.SlidingWindowStats, Keys(key), [Format(rate).Capacity, _windowMicroseconds], rate, cancellationToken);

    private RedisKey[] Keys(string key) => [Key(key, RedisKeys.SlidingWindowLog), Key(key, RedisKeys.SlidingWindowState)];
}
