using System;

namespace Throttle.Coordination;

/// <summary>A <see cref="Coordinator"/> became leader, or stopped leading.</summary>
public sealed class LeadershipChangedEventArgs : EventArgs
{
    internal LeadershipChangedEventArgs(string lockName, long fencingToken, LeadershipLossReason? reason, long serverStartMicros, long serverEndMicros)
    {
        LockName = lockName;
        FencingToken = fencingToken;
        Reason = reason;
        ServerStartMicros = serverStartMicros;
        ServerEndMicros = serverEndMicros;
    }

    /// <summary>The leadership's name.</summary>
    public string LockName { get; }

    /// <summary>The fencing token of the term that began or ended.</summary>
    public long FencingToken { get; }

    /// <summary>Why the term ended; null when it began.</summary>
    public LeadershipLossReason? Reason { get; }

    /// <summary>When the term began, by the storage's clock (Redis <c>TIME</c>), in µs since the Unix epoch.</summary>
    internal long ServerStartMicros { get; }

    /// <summary>
    /// For a term that ended: the latest the storage's clock can have read when this instance stopped leading, in µs
    /// (the last confirmed server time plus the local time since that request was sent); 0 when it began.
    /// </summary>
    internal long ServerEndMicros { get; }
}
