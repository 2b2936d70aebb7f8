using StackExchange.Redis;

namespace Throttle.Storage.Redis;

/// <summary>
/// The Redis keys of one leadership (a coordinator's lock name), under one hash tag, and its release channel. Built by
/// <see cref="RedisKeys.Leader"/>; the leader scripts take them in this order (see <see cref="RedisScripts.LeaderAcquire"/>).
/// </summary>
internal sealed class LeaderKeys
{
    public LeaderKeys(string tag)
    {
        Holder = tag + "holder";
        Fence = tag + "fence";
        ChannelName = tag + "released";
        Channel = RedisChannel.Literal(ChannelName);
    }

    /// <summary>The lease: a string <c>&lt;holder id&gt;|&lt;fencing token&gt;</c> with the lease's TTL.</summary>
    public RedisKey Holder { get; }

    /// <summary>The last fencing token handed out (a long TTL; see leader-acquire.lua for why it can never repeat).</summary>
    public RedisKey Fence { get; }

    /// <summary>Where a release is published, so followers try at once.</summary>
    public RedisChannel Channel { get; }

    /// <summary>The channel's name, as a script argument.</summary>
    public string ChannelName { get; }
}
