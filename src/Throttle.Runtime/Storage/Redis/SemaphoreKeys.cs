using StackExchange.Redis;

namespace Throttle.Storage.Redis;

/// <summary>
/// The Redis keys of one semaphore (or one partition of it), all under one hash tag, in the order the semaphore
/// scripts take them (see <see cref="RedisScripts.SemaphoreAcquire"/>), and its release channel: a Redis 7 sharded
/// channel in the same hash-tag slot, so on a cluster a hand-off is published by, and heard from, the keys' node only
/// (classic <c>PUBLISH</c> is broadcast to every node). Built by
/// <see cref="RedisKeys.Semaphore"/>.
/// </summary>
internal sealed class SemaphoreKeys
{
    public SemaphoreKeys(string tag)
    {
        All = [tag + "holders", tag + "max", tag + "extra", tag + "queue", tag + "alive"];
        Lease = All[..3];
        Channel = RedisChannel.Sharded(tag + "released");
        ChannelName = tag + "released";
    }

    /// <summary>holders, max, extra, queue, alive: the KEYS of every semaphore script.</summary>
    public RedisKey[] All { get; }

    /// <summary>holders, max, extra: the KEYS of the renewal script.</summary>
    public RedisKey[] Lease { get; }

    /// <summary>The sorted set of holders (holder id scored by lease expiry).</summary>
    public RedisKey Holders => All[0];

    /// <summary>The semaphore's value.</summary>
    public RedisKey Max => All[1];

    /// <summary>The waiters' queue.</summary>
    public RedisKey Queue => All[3];

    /// <summary>Where hand-offs are published: the ids of the waiters just given a slot, space-separated.</summary>
    public RedisChannel Channel { get; }

    /// <summary>The channel's name, as a script argument.</summary>
    public string ChannelName { get; }
}
