using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Coordination;

namespace Throttle.Samples.GatherStats;

/// <summary>
/// The leader-only scheduled job: once every <c>GatherStats:LicenceReportSeconds</c> the instance that holds the
/// leadership <see cref="LeadershipName"/> counts the upstream's licences in use across the cluster, publishes them as
/// the gauges <c>gatherstats.licences.in_use</c> and <c>gatherstats.licences.leader_token</c> (on <c>/metrics</c>) and
/// keeps the last report for <c>GET /leader</c> and <c>/gather_stats</c>. Without Redis the leadership is in memory, so
/// the single instance always leads.
/// </summary>
public sealed class LicenceReporter
{
    /// <summary>The leadership (coordinator lock name) the report needs.</summary>
    public const string LeadershipName = "gatherstats-leader";

    /// <summary>The scheduled job's name.</summary>
    public const string JobName = "licence-report";

    /// <summary>The gauge of licences in use, cluster-wide.</summary>
    public const string InUseGauge = "gatherstats.licences.in_use";

    /// <summary>The gauge of the fencing token of the leader that made the last report.</summary>
    public const string LeaderTokenGauge = "gatherstats.licences.leader_token";

    private readonly SimulatedUpstream _upstream;
    private readonly Coordinator _leadership;
    private readonly ThrottleRuntime _runtime;
    private readonly ServiceInfo _info;
    private readonly int _licences;
    private LicenceReport? _last;
    private long _reports;

    /// <summary>Creates the reporter.</summary>
    public LicenceReporter(SimulatedUpstream upstream, Coordinator leadership, ThrottleRuntime runtime, ServiceInfo info, int licences)
    {
        _upstream = upstream;
        _leadership = leadership;
        _runtime = runtime;
        _info = info;
        _licences = licences;
    }

    /// <summary>One report (the scheduler calls it on the leader only; its token is cancelled when leadership is lost).</summary>
    public async ValueTask ReportAsync(CancellationToken cancellationToken)
    {
        var token = _leadership.FencingToken;
        var inUse = await _upstream.CallersNowAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

        // Leadership may have ended while counting: a stale leader does not publish.
        if (cancellationToken.IsCancellationRequested || !_leadership.IsLeader || _leadership.FencingToken != token)
        {
            return;
        }

        _runtime.Metrics.Gauge(InUseGauge, inUse);
        _runtime.Metrics.Gauge(LeaderTokenGauge, token);
        Volatile.Write(ref _last, new LicenceReport(DateTimeOffset.UtcNow, inUse, _licences, token));
        Interlocked.Increment(ref _reports);
    }

    /// <summary>This instance's view of the leadership and its last report.</summary>
    public LeadershipStatus Status() => new(
        Instance: _info.InstanceName,
        IsLeader: _leadership.IsLeader,
        FencingToken: _leadership.FencingToken,
        ReportsMade: Interlocked.Read(ref _reports),
        LastReport: Volatile.Read(ref _last));
}

/// <summary>One licence report of the leader.</summary>
/// <param name="At">When it was made (UTC).</param>
/// <param name="InUse">Licences in use across the cluster (callers inside the upstream).</param>
/// <param name="Licences">The licence count.</param>
/// <param name="FencingToken">The fencing token of the leader's term that made it.</param>
public sealed record LicenceReport(DateTimeOffset At, long InUse, int Licences, long FencingToken);

/// <summary>The answer of GET /leader (and the <c>leadership</c> of /gather_stats).</summary>
/// <param name="Instance">Which process answered.</param>
/// <param name="IsLeader">Whether it leads now (and so runs the licence report).</param>
/// <param name="FencingToken">Its term's fencing token while leading, else 0.</param>
/// <param name="ReportsMade">Reports this instance made since it started (in all its terms).</param>
/// <param name="LastReport">Its last report, or null when it never led.</param>
public sealed record LeadershipStatus(string Instance, bool IsLeader, long FencingToken, long ReportsMade, LicenceReport? LastReport);
