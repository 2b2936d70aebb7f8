using StackExchange.Redis;

namespace Throttle.Storage.Redis;

/// <summary>
/// The Redis key of one shared circuit breaker and its announcement channel, under one hash tag (the channel is a
/// sharded pub/sub channel, so on a cluster it lives on the node of the key's slot). Built by
/// <see cref="RedisKeys.CircuitBreaker"/>; the breaker scripts take them as in <see cref="RedisScripts.CircuitBreakerJoin"/>.
/// </summary>
internal sealed class CircuitBreakerKeys
{
    public CircuitBreakerKeys(string tag)
    {
        State = [tag + "state"];
        ChannelName = tag + "events";
        Channel = RedisChannel.Sharded(ChannelName);
    }

    /// <summary>The state hash (settings, state, failures, open end, trial holder, generation), as the scripts' KEYS.</summary>
    public RedisKey[] State { get; }

    /// <summary>Where state changes are announced (SPUBLISH / SSUBSCRIBE).</summary>
    public RedisChannel Channel { get; }

    /// <summary>The channel's name, as a script argument.</summary>
    public string ChannelName { get; }
}
