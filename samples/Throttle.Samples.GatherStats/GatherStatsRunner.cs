using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Polly.CircuitBreaker;
using Throttle.Semaphores;

namespace Throttle.Samples.GatherStats;

/// <summary>Runs one /gather_stats request: N concurrent calls through <see cref="UpstreamClient"/>, then the figures.</summary>
public sealed class GatherStatsRunner(UpstreamClient client, SimulatedUpstream upstream, ServiceInfo info, ThrottleRuntime runtime, LicenceReporter reporter)
{
    /// <summary>The most calls one request may fan out to.</summary>
    public const int MaxCalls = 1000;

    /// <summary>Fans out <paramref name="calls"/> concurrent calls and summarises them.</summary>
    public async Task<GatherStatsResponse> RunAsync(int calls, double failureRate, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(calls, MaxCalls);
        var run = new RunObservation();
        var startedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var pending = new Task<CallOutcome>[calls];
        for (var i = 0; i < calls; i++)
        {
            pending[i] = CallOnceAsync(new UpstreamRequest(i + 1, failureRate, run), cancellationToken);
        }

        var outcomes = await Task.WhenAll(pending).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var finishedAt = DateTimeOffset.UtcNow;

        var completed = outcomes.Where(o => o.Kind == OutcomeKind.Completed).ToArray();
        var latencies = completed.Select(o => o.Latency.TotalMilliseconds).Order().ToArray();
        var waitTotal = completed.Sum(o => o.SlotWait.TotalMilliseconds);
        var errors = outcomes
            .Where(o => o.Error is not null)
            .GroupBy(o => o.Error!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        return new GatherStatsResponse(
            Mode: info.Mode,
            Redis: info.RedisEndpoint,
            Instance: info.InstanceName,
            Licences: client.Licences,
            CallsRequested: calls,
            Completed: completed.Length,
            Rejected: outcomes.Count(o => o.Kind == OutcomeKind.Rejected),
            Failed: outcomes.Count(o => o.Kind == OutcomeKind.Failed),
            Errors: errors,
            MaxConcurrency: new MaxConcurrency(run.InstanceMax, upstream.CountsCluster ? run.ClusterMax : null),
            LatencyMs: new Latency(Round(Percentile(latencies, 0.50)), Round(Percentile(latencies, 0.95))),
            SlotWaitMs: new SlotWait(Round(waitTotal), Round(completed.Length == 0 ? 0 : waitTotal / completed.Length)),
            BreakerState: BreakerState(),
            ElapsedMs: Round(elapsed.TotalMilliseconds),
            StartedAt: startedAt,
            FinishedAt: finishedAt,
            Leadership: reporter.Status());
    }

    private async Task<CallOutcome> CallOnceAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        await Task.Yield(); // start every call before any of them runs, so the fan-out is concurrent
        var started = Stopwatch.GetTimestamp();
        try
        {
            var reply = await client.CallAsync(request, cancellationToken).ConfigureAwait(false);
            return new CallOutcome(
                OutcomeKind.Completed, Stopwatch.GetElapsedTime(started), Stopwatch.GetElapsedTime(started, reply.EnteredTimestamp), null);
        }
        catch (Exception e) when (e is SemaphoreTimeoutException or RateLimitRejectedException or BrokenCircuitException or IsolatedCircuitException)
        {
            // Throttle refused the call: no licence in time, over the rate limit, or the breaker is open.
            return new CallOutcome(OutcomeKind.Rejected, Stopwatch.GetElapsedTime(started), TimeSpan.Zero, e.GetType().Name);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The upstream failed (simulated), or Redis did; the request still answers with what happened.
            return new CallOutcome(OutcomeKind.Failed, Stopwatch.GetElapsedTime(started), TimeSpan.Zero, e.GetType().Name);
        }
    }

    private string BreakerState() =>
        runtime.TryGetCircuitBreaker(UpstreamClient.BreakerName, out var breaker)
            ? breaker.State.ToString()
            : nameof(CircuitState.Closed); // created on the first call; until then nothing has failed

    // Nearest-rank percentile of sorted values; 0 when there are none.
    private static double Percentile(IReadOnlyList<double> sorted, double quantile) =>
        sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    private static double Round(double milliseconds) => Math.Round(milliseconds, 1);

    private enum OutcomeKind
    {
        Completed,
        Rejected,
        Failed,
    }

    private sealed record CallOutcome(OutcomeKind Kind, TimeSpan Latency, TimeSpan SlotWait, string? Error);
}
