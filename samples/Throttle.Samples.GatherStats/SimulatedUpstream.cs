using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Throttle.Samples.GatherStats;

/// <summary>
/// Stands in for the licensed upstream: each call takes <see cref="Latency"/>, fails with the requested probability,
/// and is counted while it runs. In this process an in-memory counter sees this instance's callers; with Redis a
/// shared sorted set sees every instance's callers, so the cluster-wide concurrency is observable.
/// </summary>
public sealed class SimulatedUpstream
{
    // One atomic step on enter: drop callers whose entry expired (a crashed instance), add this one, count them all.
    private const string EnterScript = """
        local now = redis.call('TIME')
        local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
        redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return redis.call('ZCARD', KEYS[1])
        """;

    /// <summary>The Redis sorted set of callers inside the upstream, one member per call.</summary>
    public const string CallersKey = "gatherstats:{" + UpstreamClient.LicenceKey + "}:callers";

    // A caller's entry outlives any call by far; it only matters when an instance dies inside a call.
    private static readonly TimeSpan s_entryLifetime = TimeSpan.FromSeconds(60);

    private readonly IDatabase? _redis;
    private readonly string _instanceId = Guid.NewGuid().ToString("N")[..12];
    private long _sequence;
    private int _inFlight;

    /// <summary>Creates the upstream; <paramref name="redis"/> null counts callers in this process only.</summary>
    public SimulatedUpstream(IConnectionMultiplexer? redis, TimeSpan latency)
    {
        _redis = redis?.GetDatabase();
        Latency = latency;
    }

    /// <summary>How long one call takes.</summary>
    public TimeSpan Latency { get; }

    /// <summary>Whether the cluster-wide count (Redis) is kept.</summary>
    public bool CountsCluster => _redis is not null;

    /// <summary>
    /// How many callers are inside the upstream now: every instance's (Redis; entries of crashed instances that have
    /// expired are not counted), else this instance's.
    /// </summary>
    public async Task<long> CallersNowAsync()
    {
        if (_redis is null)
        {
            return Volatile.Read(ref _inFlight);
        }

        var time = await _redis.ExecuteAsync("TIME").ConfigureAwait(false);
        var parts = (RedisValue[])time!;
        var nowMs = ((long)parts[0] * 1000) + ((long)parts[1] / 1000);
        return await _redis.SortedSetLengthAsync(CallersKey, nowMs, double.PositiveInfinity, Exclude.Start).ConfigureAwait(false);
    }

    /// <summary>Serves one call, recording the concurrency it saw on entry into <see cref="UpstreamRequest.Run"/>.</summary>
    public async Task<UpstreamReply> ServeAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        var entered = Stopwatch.GetTimestamp();
        request.Run.ObserveInstance(Interlocked.Increment(ref _inFlight));
        RedisValue member = RedisValue.Null;
        try
        {
            if (_redis is not null)
            {
                member = _instanceId + ":" + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
                var callers = (long)await _redis.ScriptEvaluateAsync(
                    EnterScript, [CallersKey], [member, (long)s_entryLifetime.TotalMilliseconds]).ConfigureAwait(false);
                request.Run.ObserveCluster(callers);
            }

            await Task.Delay(Latency, cancellationToken).ConfigureAwait(false);
            if (request.FailureRate > 0 && Random.Shared.NextDouble() < request.FailureRate)
            {
                throw new UpstreamException($"The upstream failed call #{request.Call} (simulated, fail={request.FailureRate.ToString(CultureInfo.InvariantCulture)}).");
            }

            return new UpstreamReply(entered);
        }
        finally
        {
            if (!member.IsNull)
            {
                await _redis!.SortedSetRemoveAsync(CallersKey, member).ConfigureAwait(false);
            }

            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>One call to the upstream.</summary>
/// <param name="Call">The call's number within its request.</param>
/// <param name="FailureRate">Probability, 0 to 1, that the upstream fails the call.</param>
/// <param name="Run">Where the upstream records what it saw.</param>
public sealed record UpstreamRequest(int Call, double FailureRate, RunObservation Run);

/// <summary>The upstream's answer.</summary>
/// <param name="EnteredTimestamp">When the upstream took the call (<see cref="Stopwatch.GetTimestamp"/>), past every wait.</param>
public sealed record UpstreamReply(long EnteredTimestamp);

/// <summary>The upstream's own failure (simulated); the only exception the circuit breaker counts.</summary>
public sealed class UpstreamException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UpstreamException()
        : base("The upstream failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UpstreamException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public UpstreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The highest concurrency the upstream saw while one /gather_stats request ran.</summary>
/// <remarks>
/// A count peaks right after some caller enters, and every caller reports the count it made, so the highest value
/// reported by all concurrent requests together is the true peak.
/// </remarks>
public sealed class RunObservation
{
    private long _instanceMax;
    private long _clusterMax;

    /// <summary>Highest number of this instance's callers inside the upstream at once.</summary>
    public long InstanceMax => Volatile.Read(ref _instanceMax);

    /// <summary>Highest number of callers of all instances inside the upstream at once (Redis only).</summary>
    public long ClusterMax => Volatile.Read(ref _clusterMax);

    internal void ObserveInstance(long count) => RaiseTo(ref _instanceMax, count);

    internal void ObserveCluster(long count) => RaiseTo(ref _clusterMax, count);

    private static void RaiseTo(ref long max, long value)
    {
        var current = Volatile.Read(ref max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref max, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
