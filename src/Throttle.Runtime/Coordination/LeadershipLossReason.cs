namespace Throttle.Coordination;

/// <summary>Why a <see cref="Coordinator"/> stopped leading.</summary>
public enum LeadershipLossReason
{
    /// <summary>It gave the leadership up (<see cref="Coordinator.ReleaseAsync"/>, <see cref="Coordinator.StopAsync"/>).</summary>
    Released,

    /// <summary>It could not renew in time (storage unreachable or too slow), so it stepped down before its lease could end.</summary>
    Expired,

    /// <summary>A renewal found the lease no longer this term's (it ended on the server, or another instance holds it).</summary>
    Superseded,
}
