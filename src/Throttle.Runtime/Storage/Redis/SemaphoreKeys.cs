using StackExchange.Redis;

namespace Throttle.Storage.Redis;

/// <summary>
/// The Redis keys of one semaphore (or one partition of it), all under one hash tag, in the order the semaphore
/// scripts take them (see <see cref="RedisScripts.SemaphoreAcquire"/>), and its release channel: a Redis 7 sharded
/// channel in the same hash-tag slot, so on a cluster a hand-off is published by, and heard from, the keys' node only
/// (classic <c>PUBLISH</c> is broadcast to every node). Built by <see cref="RedisKeys.Semaphore"/>.
/// </summary>
/// <remarks>
/// Layout 2: <c>meta</c> (a hash) replaced layout 1's <c>max</c> and <c>extra</c> strings, and <c>waiters</c> (entries
/// <c>id|place expiry</c>) its <c>queue</c> and <c>alive</c> sorted sets. <c>holders</c> kept its name and format, so a
/// process of either layout counts the other's holders against the value; a layout-2 attempt that finds no <c>meta</c>
/// but a layout-1 <c>max</c> refuses with an error rather than run a second queue beside the first.
/// </remarks>
internal sealed class SemaphoreKeys
{
    public SemaphoreKeys(string tag)
    {
        All = [tag + "holders", tag + "meta", tag + "waiters", tag + "max"];
        State = All[..3];
        Channel = RedisChannel.Sharded(tag + "released");
        ChannelName = tag + "released";
    }

    /// <summary>holders, meta, waiters, legacy: the KEYS of the acquire script.</summary>
    public RedisKey[] All { get; }

    /// <summary>holders, meta, waiters: the KEYS of the other semaphore scripts.</summary>
    public RedisKey[] State { get; }

    /// <summary>The sorted set of holders (holder id scored by lease expiry, ms).</summary>
    public RedisKey Holders => All[0];

    /// <summary>The semaphore's hash: v its value, c until when every key lives (ms), x slots added by unbounded
    /// releases without a lease, t the last ticket given.</summary>
    public RedisKey Meta => All[1];

    /// <summary>The waiters' queue: <c>id|place expiry (ms)</c> scored by ticket.</summary>
    public RedisKey Waiters => All[2];

    /// <summary>Layout 1's value key (<c>max</c>), only checked: its presence means older processes use the semaphore.</summary>
    public RedisKey Legacy => All[3];

    /// <summary>Where hand-offs are published: the ids of the waiters just given a slot, space-separated.</summary>
    public RedisChannel Channel { get; }

    /// <summary>The channel's name, as a script argument.</summary>
    public string ChannelName { get; }
}
