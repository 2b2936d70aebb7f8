using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Storage.Redis;

namespace Throttle.Coordination;

/// <summary>A leadership on Redis, through the Redis layer: one script per operation (leader-*.lua), keys under one hash tag.</summary>
internal sealed class RedisLeadershipBackend : LeadershipBackend
{
    /// <summary>
    /// How long the fencing counter outlives the last acquire. Long, so tokens count up by one from the last; if it
    /// expires anyway, tokens still increase (they are never below the server's clock in µs; see leader-acquire.lua).
    /// </summary>
    internal static readonly TimeSpan FenceTtl = TimeSpan.FromDays(30);

    private readonly RedisLayer _layer;
    private readonly LeaderKeys _keys;
    private readonly RedisKey[] _acquireKeys;
    private readonly RedisKey[] _holderKey;
    private Action<RedisChannel, RedisValue>? _handler;

    public RedisLeadershipBackend(RedisLayer layer, string lockName)
    {
        _layer = layer;
        _keys = layer.Keys.Leader(lockName);
        _acquireKeys = [_keys.Holder, _keys.Fence];
        _holderKey = [_keys.Holder];
    }

    /// <summary>The keys, for tests.</summary>
    internal LeaderKeys Keys => _keys;

    public override async ValueTask<LeaseAttempt> TryAcquireAsync(string holderId, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await _layer.EvaluateAsync(
            RedisScripts.LeaderAcquire,
            _acquireKeys,
            [holderId, Milliseconds(ttl), Milliseconds(FenceTtl)],
            cancellationToken).ConfigureAwait(false))!;
        var serverMicros = Long(result[2]);
        return (int)result[0] == 1
            ? new LeaseAttempt(true, Long(result[1]), serverMicros, TimeSpan.Zero)
            : new LeaseAttempt(false, 0, serverMicros, TimeSpan.FromMilliseconds(Math.Max(0, (long)result[1])));
    }

    public override async ValueTask<LeaseAnswer> RenewAsync(string holderId, long token, TimeSpan ttl, CancellationToken cancellationToken) =>
        Answer(await _layer.EvaluateAsync(
            RedisScripts.LeaderRenew, _holderKey, [LeaseValue(holderId, token), Milliseconds(ttl)], cancellationToken).ConfigureAwait(false));

    public override async ValueTask<LeaseAnswer> ReleaseAsync(string holderId, long token, CancellationToken cancellationToken) =>
        Answer(await _layer.EvaluateAsync(
            RedisScripts.LeaderRelease, _holderKey, [LeaseValue(holderId, token), _keys.ChannelName], cancellationToken).ConfigureAwait(false));

    public override async ValueTask SubscribeAsync(Action onReleased, CancellationToken cancellationToken)
    {
        var handler = _handler ??= (_, _) => onReleased();
        await _layer.SubscribeAsync(_keys.Channel, handler, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask UnsubscribeAsync(Action onReleased)
    {
        if (_handler is { } handler)
        {
            await _layer.UnsubscribeAsync(_keys.Channel, handler).ConfigureAwait(false);
        }
    }

    private static LeaseAnswer Answer(RedisResult answer)
    {
        var result = (RedisResult[])answer!;
        return new LeaseAnswer((int)result[0] == 1, Long(result[1]));
    }

    private static long Long(RedisResult value) => long.Parse((string)value!, NumberStyles.None, CultureInfo.InvariantCulture);

    private static string Milliseconds(TimeSpan value) =>
        ((long)Math.Ceiling(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
}
