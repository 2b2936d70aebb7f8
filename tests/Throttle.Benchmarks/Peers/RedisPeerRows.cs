using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Medallion.Threading.Redis;
using RedisRateLimiting;
using StackExchange.Redis;
using Throttle.Benchmarks.Harness;
using Throttle.Limiters;
using Throttle.Semaphores;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;

namespace Throttle.Benchmarks.Peers;

/// <summary>
/// Issue 15's Redis rows, Throttle against its peer on one server in interleaved rounds. Every library gets its own
/// connection (for its round-trip count) and its own keys. The limits never reject (a rejection fails the run: the row
/// would no longer measure what it says), and semaphore workers release at once after acquiring.
/// </summary>
internal sealed class RedisPeerRows(RedisServer server, RedisRounds rounds, Report report)
{
    // Never reached at these rates: a billion tokens refilled at a billion per second; ten million per 1 s window.
    private const int BucketSize = 1_000_000_000;
    private const int WindowLimit = 10_000_000;
    private const int InFlight = 64;
    private const int SemaphoreValue = 10;
    private const int Contenders = 50;
    private const int Handoffs = 100;

    private static readonly TimeSpan s_hold = TimeSpan.FromMilliseconds(5);

    /// <summary>Every row, or those whose title contains <paramref name="rows"/> (case-insensitive).</summary>
    public async Task RunAllAsync(string? rows = null)
    {
        (string Title, Func<Task> Run)[] all =
        [
            ($"Redis token bucket, one key, {InFlight} in flight", () => TokenBucketAsync(InFlight)),
            ($"Redis sliding window, one key, {InFlight} in flight", () => SlidingWindowAsync(InFlight)),
            ("Redis token bucket, one key, 1 in flight", () => TokenBucketAsync(1)),
            ("Redis sliding window, one key, 1 in flight", () => SlidingWindowAsync(1)),
            ("Redis semaphore, contended", ContendedSemaphoreAsync),
            ("Redis semaphore, uncontended", UncontendedPairAsync),
            ("semaphore hand-off", HandoffAsync),
        ];
        foreach (var (title, run) in all)
        {
            if (rows is null || title.Contains(rows, StringComparison.OrdinalIgnoreCase))
            {
                await run().ConfigureAwait(false);
            }
        }
    }

    private async Task TokenBucketAsync(int inFlight)
    {
        var row = $"Redis token bucket, one key, {inFlight} in flight";
        var throttle = await ThrottleLimiterAsync(storage => new TokenBucketLimiter(BucketSize, per: 1, burst: BucketSize, storage: storage)).ConfigureAwait(false);
        var peer = await PeerLimiterAsync(connection => new RedisTokenBucketRateLimiter<string>("peers:tb", new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => connection,
            TokenLimit = BucketSize,
            TokensPerPeriod = BucketSize,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        })).ConfigureAwait(false);
        await LimiterRowAsync(row, inFlight, throttle, peer).ConfigureAwait(false);
    }

    private async Task SlidingWindowAsync(int inFlight)
    {
        var row = $"Redis sliding window, one key, {inFlight} in flight";
        var throttle = await ThrottleLimiterAsync(storage => new SlidingWindowLimiter(WindowLimit, per: 1, storage: storage)).ConfigureAwait(false);
        var peer = await PeerLimiterAsync(connection => new RedisSlidingWindowRateLimiter<string>("peers:sw", new RedisSlidingWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => connection,
            PermitLimit = WindowLimit,
            Window = TimeSpan.FromSeconds(1),
        })).ConfigureAwait(false);
        await LimiterRowAsync(row, inFlight, throttle, peer).ConfigureAwait(false);
    }

    /// <summary>
    /// A limiter row: ops/s and the per-op latency percentiles (call to completion; medians of the rounds' p50 and p99),
    /// with the ratio of both. At 1 in flight Throttle sends every acquire alone (nothing to coalesce), so its server
    /// commands and script µs per op are those of one uncoalesced script call.
    /// </summary>
    private async Task LimiterRowAsync(string row, int workers, Participant throttle, Participant peer)
    {
        Participant[] participants = [throttle, peer];
        try
        {
            var results = await rounds.RunAsync(row, workers, participants).ConfigureAwait(false);
            for (var i = 0; i < participants.Length; i++)
            {
                report.Detail(row, participants[i].Name, results[i], "ops/s");
            }

            double Rate(int i) => RedisRounds.Median(results[i].Select(r => r.OpsPerSecond));
            double P50(int i) => RedisRounds.Median(results[i].Select(r => r.LatencyP50Ms));
            double P99(int i) => RedisRounds.Median(results[i].Select(r => r.LatencyP99Ms));
            string Describe(int i) => Report.Format(
                $"{Rate(i):N0} ops/s, p50 / p99 {P50(i):0.000} / {P99(i):0.000} ms, {RedisRounds.Median(results[i].Select(r => r.CommandsPerOp)):0.00} server commands/op, {RedisRounds.Median(results[i].Select(r => r.ScriptMicrosPerOp)):0.0} µs script time/op");
            report.Summary(
                row,
                Describe(0),
                peer.Name + " " + Describe(1),
                Report.Format($"{Rate(0) / Rate(1):0.00} (p50 {P50(0) / P50(1):0.00}, p99 {P99(0) / P99(1):0.00}: latency, lower is better)"));
        }
        finally
        {
            foreach (var participant in participants)
            {
                await participant.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ContendedSemaphoreAsync()
    {
        var row = $"Redis semaphore, value {SemaphoreValue}, {Contenders} contenders";
        var throttle = await ThrottleSemaphoreAsync("peers:contended", SemaphoreValue).ConfigureAwait(false);
        var peer = await DistributedLockAsync("peers:dl:contended", SemaphoreValue, busyWait: null).ConfigureAwait(false);
        await ThroughputRowAsync(row, Contenders, "pairs/s", fairness: true, [throttle, peer]).ConfigureAwait(false);
    }

    private async Task UncontendedPairAsync()
    {
        const string row = "Redis semaphore, uncontended acquire + release";
        var throttle = await ThrottleSemaphoreAsync("peers:uncontended", 1).ConfigureAwait(false);
        var connection = await server.ConnectAsync().ConfigureAwait(false);
        var limiter = new RedisConcurrencyRateLimiter<string>("peers:concurrency", new RedisConcurrencyRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => connection,
            PermitLimit = 1,
            QueueLimit = 0,
        });
        var peer = new Participant("RedisRateLimiting 1.2.1 RedisConcurrencyRateLimiter", connection, async (_, _) =>
        {
            using var lease = await limiter.AcquireAsync(1, CancellationToken.None).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException("The uncontended concurrency limiter refused a permit.");
            }
        }, () => limiter.DisposeAsync());
        var distributedLock = await DistributedLockAsync("peers:dl:uncontended", 1, busyWait: null).ConfigureAwait(false);
        var awaited = await ThrottleSemaphoreAsync("peers:uncontended-awaited", 1, awaitRelease: true).ConfigureAwait(false);
        await ThroughputRowAsync(row, 1, "pairs/s", throttle, peer, distributedLock, awaited).ConfigureAwait(false);
    }

    private async Task HandoffAsync()
    {
        const string row = "semaphore hand-off, value 1, 2 contenders";
        await using var throttleConnection = await server.ConnectAsync().ConfigureAwait(false);
        await using var peerConnection = await server.ConnectAsync().ConfigureAwait(false);
        await using var throttle = new DistributedBoundedSemaphore(throttleConnection, "peers:handoff", 1);
        var peer = new RedisDistributedSemaphore("peers:dl:handoff", 1, peerConnection.GetDatabase(),
            options => options.BusyWaitSleepTime(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(10)));
        Handoff.Acquire throttleAcquire = async token =>
        {
            var lease = await throttle.AcquireAsync(Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
            return () => lease.ReleaseAsync(CancellationToken.None);
        };
        Handoff.Acquire peerAcquire = async token =>
        {
            var handle = await peer.AcquireAsync(null, token).ConfigureAwait(false);
            return handle.DisposeAsync;
        };

        var limit = TimeSpan.FromSeconds(Math.Max(10, Handoffs * 0.1));
        var throttleSamples = new List<double>();
        var peerSamples = new List<double>();
        for (var round = 0; round < rounds.Rounds; round++)
        {
            throttleSamples.AddRange(await Handoff.MeasureAsync(throttleAcquire, Handoffs, s_hold, limit).ConfigureAwait(false));
            peerSamples.AddRange(await Handoff.MeasureAsync(peerAcquire, Handoffs, s_hold, limit).ConfigureAwait(false));
            Console.WriteLine($"  {row} | round {round + 1} | load {LoadAverage.Read()}");
        }

        throttleSamples.Sort();
        peerSamples.Sort();
        string Describe(List<double> samples) => Report.Format(
            $"{RedisRounds.Percentile(samples, 0.50) / 1000:0.00} / {RedisRounds.Percentile(samples, 0.99) / 1000:0.00} ms (n={samples.Count})");
        report.Summary(
            $"{row}, p50 / p99 (holder keeps the slot {s_hold.TotalMilliseconds:0} ms)",
            "Throttle " + Describe(throttleSamples),
            "DistributedLock.Redis 1.1.1 (busy wait 1–10 ms) " + Describe(peerSamples),
            Report.Format($"p50 {RedisRounds.Percentile(throttleSamples, 0.50) / RedisRounds.Percentile(peerSamples, 0.50):0.00}, p99 {RedisRounds.Percentile(throttleSamples, 0.99) / RedisRounds.Percentile(peerSamples, 0.99):0.00} (latency: lower is better)"));
    }

    private Task ThroughputRowAsync(string row, int workers, string unit, Participant throttle, Participant peer, params Participant[] extras) =>
        ThroughputRowAsync(row, workers, unit, fairness: false, [throttle, peer, .. extras]);

    /// <summary>A throughput row: the first participant is Throttle, the second its peer (the ratio), any others are in the details only.</summary>
    private async Task ThroughputRowAsync(string row, int workers, string unit, bool fairness, Participant[] participants)
    {
        try
        {
            var results = await rounds.RunAsync(row, workers, participants).ConfigureAwait(false);
            for (var i = 0; i < participants.Length; i++)
            {
                report.Detail(row, participants[i].Name, results[i], unit);
            }

            var throttleRate = RedisRounds.Median(results[0].Select(r => r.OpsPerSecond));
            var peerRate = RedisRounds.Median(results[1].Select(r => r.OpsPerSecond));
            string Describe(IReadOnlyList<Round> result, double rate)
            {
                var text = Report.Format($"{rate:N0} {unit}, {RedisRounds.Median(result.Select(r => r.CommandsPerOp)):0.0} server commands/op, {RedisRounds.Median(result.Select(r => r.ScriptMicrosPerOp)):0.0} µs script time/op");
                if (fairness)
                {
                    var median = result.OrderBy(r => r.OpsPerSecond).ElementAt(result.Count / 2);
                    text += Report.Format($", per contender {median.MinPerWorker}–{median.MaxPerWorker}");
                }

                return text;
            }

            report.Summary(row, Describe(results[0], throttleRate), participants[1].Name + " " + Describe(results[1], peerRate), Report.Format($"{throttleRate / peerRate:0.00}"));
        }
        finally
        {
            foreach (var participant in participants)
            {
                await participant.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<Participant> ThrottleLimiterAsync(Func<RedisStorage, ThrottleLimiter> create)
    {
        var connection = await server.ConnectAsync().ConfigureAwait(false);
        var storage = new RedisStorage(connection, new RedisStorageOptions { KeyPrefix = "peers-throttle" });
        var limiter = create(storage);
        return new Participant("Throttle", connection, async (_, _) =>
        {
            if (!await limiter.TryAcquireAsync("hot", 1, CancellationToken.None).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Throttle's {limiter.GetType().Name} rejected: the row's limit is meant never to be reached.");
            }
        }, () => storage.DisposeAsync());
    }

    private async Task<Participant> PeerLimiterAsync(Func<ConnectionMultiplexer, RateLimiter> create)
    {
        var connection = await server.ConnectAsync().ConfigureAwait(false);
        var limiter = create(connection);
        return new Participant("RedisRateLimiting 1.2.1", connection, async (_, _) =>
        {
            using var lease = await limiter.AcquireAsync(1, CancellationToken.None).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException($"RedisRateLimiting's {limiter.GetType().Name} rejected: the row's limit is meant never to be reached.");
            }
        }, () => limiter.DisposeAsync());
    }

    /// <summary>
    /// Throttle's semaphore, its lease disposed as <c>await using</c> (and the generated code) do: the release rides with
    /// the worker's next acquire and its answer is read in the background (the peers do not wait for theirs either). <paramref name="awaitRelease"/>: released with
    /// <see cref="SemaphoreLease.ReleaseAsync"/> instead, which waits for the answer (one more round trip per pair).
    /// </summary>
    private async Task<Participant> ThrottleSemaphoreAsync(string key, int value, bool awaitRelease = false)
    {
        var connection = await server.ConnectAsync().ConfigureAwait(false);
        var semaphore = new DistributedBoundedSemaphore(connection, key, value);
        var name = awaitRelease ? "Throttle DistributedBoundedSemaphore, ReleaseAsync (awaits the answer)" : "Throttle DistributedBoundedSemaphore";
        return new Participant(name, connection, async (_, token) =>
        {
            var lease = await semaphore.AcquireAsync(Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
            if (awaitRelease)
            {
                await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }, () => semaphore.DisposeAsync());
    }

    private async Task<Participant> DistributedLockAsync(string key, int value, (TimeSpan Min, TimeSpan Max)? busyWait)
    {
        var connection = await server.ConnectAsync().ConfigureAwait(false);
        var semaphore = new RedisDistributedSemaphore(key, value, connection.GetDatabase(), options =>
        {
            if (busyWait is { } wait)
            {
                options.BusyWaitSleepTime(wait.Min, wait.Max);
            }
        });
        var name = busyWait is null ? "DistributedLock.Redis 1.1.1 (defaults)" : "DistributedLock.Redis 1.1.1";
        return new Participant(name, connection, async (_, token) =>
        {
            var handle = await semaphore.AcquireAsync(null, token).ConfigureAwait(false);
            await handle.DisposeAsync().ConfigureAwait(false);
        });
    }
}
