using System;
using System.Collections.Generic;

namespace Throttle.Samples.GatherStats;

/// <summary>The answer of GET /gather_stats (serialised in snake_case).</summary>
/// <param name="Mode"><c>memory</c> or <c>redis</c>.</param>
/// <param name="Redis">The Redis endpoint (THROTTLE_REDIS), or null in memory mode.</param>
/// <param name="Instance">Which process answered.</param>
/// <param name="Licences">The upstream's licences: the bound on its concurrency.</param>
/// <param name="CallsRequested">The <c>calls</c> asked for.</param>
/// <param name="Completed">Calls the upstream served.</param>
/// <param name="Rejected">Calls Throttle refused: no licence within the acquire timeout, over the rate limit, or breaker open.</param>
/// <param name="Failed">Calls that failed in the upstream (simulated with <c>fail</c>) or on the way (Redis).</param>
/// <param name="Errors">Rejections and failures by exception type.</param>
/// <param name="MaxConcurrency">The most callers the upstream served at once.</param>
/// <param name="LatencyMs">Latency of completed calls, from the call to its answer, waits included.</param>
/// <param name="SlotWaitMs">Time completed calls waited before the upstream took them (for a licence, and for the rate limiter).</param>
/// <param name="BreakerState">The circuit breaker's state after the calls: Closed, Open, HalfOpen or Isolated.</param>
/// <param name="ElapsedMs">Duration of the whole fan-out.</param>
/// <param name="StartedAt">When the fan-out started (UTC).</param>
/// <param name="FinishedAt">When the last call ended (UTC).</param>
/// <param name="Leadership">Whether this instance leads the cluster's licence report, and the last report it made.</param>
public sealed record GatherStatsResponse(
    string Mode,
    string? Redis,
    string Instance,
    int Licences,
    int CallsRequested,
    int Completed,
    int Rejected,
    int Failed,
    IReadOnlyDictionary<string, int> Errors,
    MaxConcurrency MaxConcurrency,
    Latency LatencyMs,
    SlotWait SlotWaitMs,
    string BreakerState,
    double ElapsedMs,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    LeadershipStatus Leadership);

/// <summary>The most callers the upstream served at once while the request ran.</summary>
/// <param name="Instance">This instance's callers.</param>
/// <param name="Cluster">Callers of every instance sharing the Redis server (null in memory mode).</param>
public sealed record MaxConcurrency(long Instance, long? Cluster);

/// <summary>Latency percentiles in milliseconds (nearest rank).</summary>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
public sealed record Latency(double P50, double P95);

/// <summary>Waiting before the upstream took a call, in milliseconds.</summary>
/// <param name="Total">Summed over completed calls.</param>
/// <param name="Avg">Per completed call.</param>
public sealed record SlotWait(double Total, double Avg);

/// <summary>The answer to bad input (HTTP 400).</summary>
/// <param name="Error">What was wrong and what is accepted.</param>
public sealed record ErrorResponse(string Error);

/// <summary>How this instance runs, for the answers.</summary>
/// <param name="Mode"><c>memory</c> or <c>redis</c>.</param>
/// <param name="RedisEndpoint">THROTTLE_REDIS, or null.</param>
/// <param name="InstanceName">Host name and process id.</param>
public sealed record ServiceInfo(string Mode, string? RedisEndpoint, string InstanceName);
