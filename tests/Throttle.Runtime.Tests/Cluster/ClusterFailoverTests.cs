using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Telemetry;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>
/// Failover under load on a hot key: <c>CLUSTER FAILOVER</c> on the replica of the key's master, and <c>kill -9</c> of
/// that master. Three storages (FailOpen, FailClosed, Throw) keep token buckets in the same slot. No call waits past
/// <see cref="OperationTimeout"/> plus slack, each storage's failure policy decides while the slot is unavailable, and
/// service resumes by itself on the same connection. Measured and printed: the recovery time and the admissions above
/// the bucket's bound (lost writes of asynchronous replication).
/// </summary>
[Collection(ClusterFailoverCollection.Name)]
public sealed class ClusterFailoverTests(RedisClusterFixture cluster, ITestOutputHelper output)
{
    private const double Capacity = 10;
    private const double Rate = 20;
    private const string Key = "k";
    private const string Scope = "hot";

    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(500);

    // A loaded 2-core CI machine: scheduling, not Redis, decides this margin.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    // Distinct from any delay Redis computes (at most 1 / Rate), so a rejection by the policy is recognisable.
    private static readonly TimeSpan FailClosedRetryAfter = TimeSpan.FromMilliseconds(777);
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan RecoveryCap = TimeSpan.FromSeconds(40);

    private enum Outcome
    {
        Granted,
        Rejected,
        PolicyRejected,
        Failed,
        Unexpected,
    }

    [RedisClusterFact]
    public async Task A_manual_failover_under_load_loses_no_admission_and_no_call_waits_past_the_timeout()
    {
        var run = await RunAsync(nameof(A_manual_failover_under_load_loses_no_admission_and_no_call_waits_past_the_timeout), kill: false);

        // The replica takes over only once it has every write of its master: no admission above the bound (0, up to
        // the scripts' floating-point arithmetic).
        Assert.True(run.OverAdmission(StorageFailureMode.FailClosed) <= 0.01, $"{run.OverAdmission(StorageFailureMode.FailClosed)} admissions above the bound");
    }

    [RedisClusterFact]
    public async Task Killing_the_master_under_load_applies_each_failure_policy_until_the_replica_takes_over()
    {
        var run = await RunAsync(nameof(Killing_the_master_under_load_applies_each_failure_policy_until_the_replica_takes_over), kill: true);

        // The slot was unavailable for at least the node timeout: every policy had to decide.
        Assert.True(run.Count(StorageFailureMode.Throw, Outcome.Failed) > 0, "Throw: no call failed while the slot was down");
        Assert.True(run.Count(StorageFailureMode.FailClosed, Outcome.PolicyRejected) > 0, "FailClosed: no call was rejected by the policy");
        Assert.True(run.FailOpenDecisions > 0, "FailOpen: no call was admitted by the policy");

        // Writes acknowledged by the dead master but not yet replicated are lost: at most one bucketful comes back.
        Assert.True(run.OverAdmission(StorageFailureMode.FailClosed) <= Capacity, $"{run.OverAdmission(StorageFailureMode.FailClosed)} admissions above the bound");

        // The measure sees an excess where there is one: failing open admitted far beyond the bucket.
        Assert.True(run.OverAdmission(StorageFailureMode.FailOpen) > Capacity, $"FailOpen: {run.OverAdmission(StorageFailureMode.FailOpen)} above the bound");
    }

    private async Task<Run> RunAsync(string testName, bool kill)
    {
        var prefix = cluster.StoragePrefix(testName);
        var modes = new[] { StorageFailureMode.FailOpen, StorageFailureMode.FailClosed, StorageFailureMode.Throw };
        var runtimes = modes.ToDictionary(m => m, m => new ThrottleRuntime(new ThrottleRuntimeOptions().ConnectRedis(cluster.Cluster.ConnectionString, new RedisStorageOptions
        {
            KeyPrefix = prefix + "-" + m,
            OperationTimeout = OperationTimeout,
            FailureMode = m,
            FailClosedRetryAfter = FailClosedRetryAfter,
        })));
        using var failOpenDecisions = new MetricCollector<long>(runtimes[StorageFailureMode.FailOpen].Telemetry.Meter, TelemetryNames.RedisFailurePolicyDecisions);
        try
        {
            // The three buckets differ by prefix, outside the hash tag: one slot, one master.
            var slot = await cluster.Cluster.KeySlotAsync("{" + Scope + ":" + Key + "}");
            var master = await cluster.Cluster.MasterOfSlotAsync(slot);
            var replica = await cluster.Cluster.ReplicaOfAsync(master);
            foreach (var runtime in runtimes.Values)
            {
                await ConnectedAsync((RedisStorage)runtime.Storage);
            }

            var limiters = modes.ToDictionary(m => m, m => new TokenBucketLimiter(Rate, per: 1, burst: Capacity, storage: runtimes[m].Storage, scope: Scope));

            var clock = Stopwatch.StartNew();
            var calls = new ConcurrentBag<Call>();
            using var stop = new CancellationTokenSource();
            var loops = modes.SelectMany(m => Enumerable.Range(0, m == StorageFailureMode.FailClosed ? 32 : 8)
                .Select(_ => Task.Run(() => LoadAsync(m, limiters[m], clock, calls, stop.Token)))).ToArray();

            await Task.Delay(Warmup);
            var disrupted = clock.Elapsed;
            TimeSpan? promoted = null;
            if (kill)
            {
                await cluster.Cluster.KillAsync(master);
                await cluster.Cluster.WaitUntilMasterAsync(replica);
                promoted = clock.Elapsed;
            }
            else
            {
                await cluster.Cluster.FailoverAsync(replica);
                promoted = clock.Elapsed;
            }

            // Until every storage has had Redis decide for a while (or the cap: no recovery). FailOpen's calls cannot tell
            // (the policy grants too), so its policy decisions count as failures; each storage has its own connection,
            // and one may learn the new topology later than the others.
            var failOpenSeen = 0;
            var failOpenLast = disrupted;
            while (clock.Elapsed - Max(LastFailureEnd(calls, disrupted), failOpenLast) < Stable && clock.Elapsed - disrupted < RecoveryCap)
            {
                await Task.Delay(100);
                var seen = failOpenDecisions.GetMeasurementSnapshot().Count;
                if (seen != failOpenSeen)
                {
                    (failOpenSeen, failOpenLast) = (seen, clock.Elapsed);
                }
            }

            await stop.CancelAsync();
            await Task.WhenAll(loops);
            var end = clock.Elapsed;

            // Redis answers each storage's stats again. Asked at once, after one more acquire: a bucket left alone
            // expires once full (a second or two here), and a missing bucket has no last update either.
            var lastUpdates = new Dictionary<StorageFailureMode, DateTimeOffset?>();
            foreach (var mode in modes)
            {
                _ = await limiters[mode].AttemptAcquireAsync(Key, cancellationToken: CancellationToken.None);
                lastUpdates[mode] = (await limiters[mode].GetStatsAsync(Key)).LastUpdate;
            }

            var run = new Run([.. calls], failOpenDecisions.GetMeasurementSnapshot().Sum(m => m.Value));
            var recovery = Max(LastFailureEnd(calls, disrupted), failOpenLast) - disrupted;
            output.WriteLine(
                $"{(kill ? "kill -9" : "CLUSTER FAILOVER")} of {master} (slot {slot}), replica {replica}: promoted after {(promoted.Value - disrupted).TotalSeconds:0.00} s; " +
                $"Redis decided again for every storage {recovery.TotalSeconds:0.00} s after the disruption; run {end.TotalSeconds:0.0} s");
            foreach (var mode in modes)
            {
                var mine = run.Calls.Where(c => c.Mode == mode).ToList();
                output.WriteLine(
                    $"{mode}: {mine.Count} calls, " + string.Join(", ", Enum.GetValues<Outcome>().Select(o => $"{o} {mine.Count(c => c.Outcome == o)}")) +
                    $", slowest {mine.Max(c => c.Duration).TotalMilliseconds:0} ms");
            }

            output.WriteLine($"FailOpen policy admissions: {run.FailOpenDecisions}; admissions above the bound in the worst window: FailClosed {run.OverAdmission(StorageFailureMode.FailClosed):0.##}, FailOpen {run.OverAdmission(StorageFailureMode.FailOpen):0.##}");
            foreach (var unexpected in run.Calls.Where(c => c.Outcome == Outcome.Unexpected).Take(5))
            {
                output.WriteLine($"unexpected: {unexpected.Error}");
            }

            Assert.True(recovery < RecoveryCap - Stable, $"no recovery within {RecoveryCap}");
            Assert.Empty(run.Calls.Where(c => c.Outcome == Outcome.Unexpected).Select(c => c.Error));
            Assert.All(run.Calls, c => Assert.True(c.Duration <= OperationTimeout + Slack, $"{c.Mode} call took {c.Duration} ({c.Outcome})"));
            Assert.Empty(run.Calls.Where(c => c.Mode != StorageFailureMode.Throw && c.Outcome == Outcome.Failed).Select(c => c.Error));

            // Service resumed by itself, on the same connection: Redis decides again for every storage.
            foreach (var mode in modes)
            {
                Assert.Contains(run.Calls, c => c.Mode == mode && c.Start > recovery + disrupted && c.Outcome == Outcome.Granted);
                Assert.True(lastUpdates[mode].HasValue, $"{mode}: the stats did not come from Redis"); // a policy's stats have no last update
            }

            return run;
        }
        finally
        {
            foreach (var runtime in runtimes.Values)
            {
                await runtime.DisposeAsync();
            }

            // Leave the cluster as found for the next test: a killed master comes back as a replica.
            var stopped = cluster.Cluster.Nodes.Where(n => !n.IsRunning).ToList();
            foreach (var node in stopped)
            {
                await cluster.Cluster.RestartAsync(node);
            }

            await cluster.Cluster.WaitUntilHealthyAsync();
        }
    }

    /// <summary>Waits until the storage's own connection, made in the background, answers (key/value operations always throw).</summary>
    private static async Task ConnectedAsync(RedisStorage storage)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await storage.GetAsync("connected");
                return;
            }
            catch (ThrottleStorageException) when (waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task LoadAsync(StorageFailureMode mode, TokenBucketLimiter limiter, Stopwatch clock, ConcurrentBag<Call> calls, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var start = clock.Elapsed;
            Outcome outcome;
            string? error = null;
            try
            {
                var decision = await limiter.AttemptAcquireAsync(Key, cancellationToken: CancellationToken.None); // a call in flight runs to its end
                outcome = decision.IsAcquired ? Outcome.Granted
                    : decision.RetryAfter == FailClosedRetryAfter ? Outcome.PolicyRejected
                    : Outcome.Rejected;
            }
            catch (ThrottleStorageException exception)
            {
                outcome = Outcome.Failed;
                error = exception.Message;
            }
            catch (Exception exception)
            {
                outcome = Outcome.Unexpected;
                error = exception.ToString();
            }

            calls.Add(new Call(mode, start, clock.Elapsed - start, outcome, error));
            if (outcome != Outcome.Granted)
            {
                // A rejected or failing caller backs off a little instead of spinning on a 2-core machine.
                await Task.Delay(10, CancellationToken.None);
            }
        }
    }

    /// <summary>When the last call that Redis did not decide ended (Throw's failures, FailClosed's policy rejections), else <paramref name="since"/>.</summary>
    private static TimeSpan LastFailureEnd(IEnumerable<Call> calls, TimeSpan since)
    {
        var last = since;
        foreach (var call in calls)
        {
            if (call.Outcome is Outcome.Failed or Outcome.PolicyRejected && call.Start + call.Duration > last)
            {
                last = call.Start + call.Duration;
            }
        }

        return last;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed record Call(StorageFailureMode Mode, TimeSpan Start, TimeSpan Duration, Outcome Outcome, string? Error)
    {
        public TimeSpan End => Start + Duration;
    }

    private sealed class Run(IReadOnlyList<Call> calls, long failOpenDecisions)
    {
        public IReadOnlyList<Call> Calls { get; } = calls;

        private readonly Dictionary<StorageFailureMode, double> _overAdmission = [];

        public long FailOpenDecisions { get; } = failOpenDecisions;

        /// <summary>
        /// A bucket's worst excess over its bound: over windows from a grant's start to a grant's end, the grants made
        /// entirely inside minus (capacity + rate × window). Redis deciding alone, a token bucket never exceeds 0.
        /// </summary>
        public double OverAdmission(StorageFailureMode mode)
        {
            // Quadratic in the grants (tens of thousands when failing open): computed once per mode.
            if (!_overAdmission.TryGetValue(mode, out var worst))
            {
                _overAdmission[mode] = worst = ComputeOverAdmission(mode);
            }

            return worst;
        }

        private double ComputeOverAdmission(StorageFailureMode mode)
        {
            var grants = Calls.Where(c => c.Mode == mode && c.Outcome == Outcome.Granted).OrderByDescending(c => c.Start).ToArray();
            var ends = new List<TimeSpan>(grants.Length);
            var worst = double.NegativeInfinity;
            foreach (var from in grants)
            {
                // ends: those of the grants starting at or after this one, sorted; the k-th is a window holding k grants.
                var at = ends.BinarySearch(from.End);
                ends.Insert(at < 0 ? ~at : at, from.End);
                for (var k = 0; k < ends.Count; k++)
                {
                    worst = Math.Max(worst, k + 1 - Capacity - (Rate * (ends[k] - from.Start).TotalSeconds));
                }
            }

            return worst;
        }

        public int Count(StorageFailureMode mode, Outcome outcome) => Calls.Count(c => c.Mode == mode && c.Outcome == outcome);
    }
}
