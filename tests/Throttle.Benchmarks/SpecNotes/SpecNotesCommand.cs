using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Benchmarks.Harness;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Memory;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;

namespace Throttle.Benchmarks.SpecNotes;

/// <summary>
/// <c>-- spec-notes</c>: issue 19 item 5, the spec's three performance notes measured on memory and on Redis (one
/// redis-server this command starts): token bucket against sliding window, batch against one-by-one processing with a
/// per-call cost, hybrid against Redis storage for a read-heavy key/value load.
/// </summary>
internal static class SpecNotesCommand
{
    public const string Section = "spec-notes";

    private const int Keys = 1_000;
    private const int InFlight = 64;

    public static async Task<string> RunAsync(CommandOptions options)
    {
        var report = new Report("note", "first", "second", "comparison");
        var loadBefore = LoadAverage.Read();

        var bdnTable = string.Empty;
        if (options.Memory)
        {
            bdnTable = MemoryRows(options, report);
        }

        if (!options.Redis)
        {
            report.Note(Report.Format($"Memory rows only; load average {loadBefore} before, {LoadAverage.Read()} after.\n\n{bdnTable}"));
            return report.ToMarkdown();
        }

        await using var server = await RedisServer.StartDedicatedAsync().ConfigureAwait(false);
        await using var admin = await server.ConnectAsync(o => o.AllowAdmin = true).ConfigureAwait(false);
        var rounds = new RedisRounds(admin.GetServer(server.Endpoint), options.Rounds, options.RoundLength, TimeSpan.FromSeconds(0.5));

        // ... and on Redis, at 1 and at 64 in flight.
        foreach (var workers in new[] { 1, InFlight })
        {
            var row = $"token bucket vs sliding window, Redis, one key, {workers} in flight";
            var bucketSide = await LimiterAsync(server, "token bucket", storage => new TokenBucketLimiter(1e9, per: 1, burst: 1e9, storage: storage)).ConfigureAwait(false);
            var windowSide = await LimiterAsync(server, "sliding window", storage => new SlidingWindowLimiter(1e7, per: 1, storage: storage)).ConfigureAwait(false);
            await CompareAsync(rounds, report, row, workers, "ops/s", bucketSide, windowSide,
                (b, w) => Report.Format($"token bucket {b / w:0.00}× as fast")).ConfigureAwait(false);
        }

        // Batch vs one by one: a simulated remote call of fixed latency, then a real Redis round trip (SET vs one MSET).
        var simulated = TimeSpan.FromMilliseconds(1);
        const int simulatedItems = 1_000;
        var (single, batch) = await BatchingComparison.RunAsync(simulatedItems, 100, _ => new ValueTask(Task.Delay(simulated))).ConfigureAwait(false);
        BatchRow(report, $"batch (100) vs one by one, {simulatedItems:N0} items, simulated call of {simulated.TotalMilliseconds:0} ms (memory)", simulatedItems, single, batch);

        await using (var connection = await server.ConnectAsync().ConfigureAwait(false))
        {
            var database = connection.GetDatabase();
            const int redisItems = 20_000;
            (single, batch) = await BatchingComparison.RunAsync(redisItems, 100, items => new ValueTask(database.StringSetAsync(
                items.Select(item => new KeyValuePair<RedisKey, RedisValue>("spec-notes:batch:" + item, item)).ToArray()))).ConfigureAwait(false);
            BatchRow(report, $"batch (100) vs one by one, {redisItems:N0} items, one Redis round trip per call (SET vs MSET)", redisItems, single, batch);
        }

        // Hybrid vs Redis (and memory, for scale), read-heavy: 95 % reads of 1,000 keys, 5 % writes, 64 in flight.
        var redisSide = await KeyValueAsync(server, "RedisStorage", connection => new RedisStorage(connection, new RedisStorageOptions { KeyPrefix = "spec-redis" })).ConfigureAwait(false);
        var hybridSide = await KeyValueAsync(server, "HybridStorage (L1 10,000)", connection =>
            new HybridStorage(new RedisStorage(connection, new RedisStorageOptions { KeyPrefix = "spec-hybrid" }), HybridStorage.DefaultL1Size)).ConfigureAwait(false);
        var memorySide = await KeyValueAsync(server, "MemoryStorage (no Redis)", _ => new MemoryStorage()).ConfigureAwait(false);
        await CompareAsync(rounds, report, "key/value, 95 % reads / 5 % writes, 1,000 keys, 64 in flight", InFlight, "ops/s", hybridSide, redisSide,
            (h, r) => Report.Format($"hybrid {h / r:0.00}× Redis's ops/s"), extra: memorySide).ConfigureAwait(false);

        report.Note(Report.Format(
            $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC (code at {GitCommit.Describe()}) on {Environment.ProcessorCount} cores, Redis {admin.GetServer(server.Endpoint).Version} ({server.Description}); load average (1/5/15 min) {loadBefore} at the start, {LoadAverage.Read()} at the end. Memory rows: BenchmarkDotNet {options.Job} job in process; Redis rows: {options.Rounds} interleaved rounds of {options.RoundLength.TotalSeconds:0.#} s, medians. In the key/value row an op is one read or one write, and \"round trips/op\" counts what the storage's connection sent."));
        report.Note("BenchmarkDotNet's table of the memory rows:\n\n" + bdnTable);
        return report.ToMarkdown();
    }

    /// <summary>Token bucket vs sliding window in memory (BenchmarkDotNet); returns BenchmarkDotNet's table.</summary>
    private static string MemoryRows(CommandOptions options, Report report)
    {
        var artifacts = Path.Combine(Path.GetTempPath(), "throttle-spec-notes-" + Guid.NewGuid().ToString("N")[..8]);
        var (rows, bdnTable) = InProcessBdn.Run<SpecNotesMemoryBenchmarks>(artifacts, options.Job);
        var bucket = rows.Find(string.Empty, SpecNotesMemoryBenchmarks.TokenBucket);
        var window = rows.Find(string.Empty, SpecNotesMemoryBenchmarks.SlidingWindow);
        report.Summary(
            "token bucket vs sliding window, memory, one key",
            Report.Format($"token bucket {bucket.MeanNs:0.0} ns, {bucket.AllocatedBytes} B"),
            Report.Format($"sliding window (exact log) {window.MeanNs:0.0} ns, {window.AllocatedBytes} B"),
            Report.Format($"token bucket {window.MeanNs / bucket.MeanNs:0.00}× as fast"));
        return bdnTable;
    }

    private static void BatchRow(Report report, string row, int items, double single, double batch) =>
        report.Summary(
            row,
            Report.Format($"batches: {batch:0.000} s ({items / batch:N0} items/s)"),
            Report.Format($"one by one: {single:0.000} s ({items / single:N0} items/s)"),
            Report.Format($"time per item cut by {(1 - batch / single) * 100:0.0} %"));

    private static async Task CompareAsync(
        RedisRounds rounds, Report report, string row, int workers, string unit, Participant first, Participant second,
        Func<double, double, string> ratio, Participant? extra = null)
    {
        var participants = extra is null ? new[] { first, second } : [first, second, extra];
        try
        {
            var results = await rounds.RunAsync(row, workers, participants).ConfigureAwait(false);
            for (var i = 0; i < participants.Length; i++)
            {
                report.Detail(row, participants[i].Name, results[i], unit);
            }

            string Describe(int i) => Report.Format(
                $"{participants[i].Name} {RedisRounds.Median(results[i].Select(r => r.OpsPerSecond)):N0} {unit}, {RedisRounds.Median(results[i].Select(r => r.RoundTripsPerOp)):0.00} round trips/op");
            report.Summary(row, Describe(0), Describe(1), ratio(
                RedisRounds.Median(results[0].Select(r => r.OpsPerSecond)), RedisRounds.Median(results[1].Select(r => r.OpsPerSecond))));
        }
        finally
        {
            foreach (var participant in participants)
            {
                await participant.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<Participant> LimiterAsync(RedisServer server, string name, Func<RedisStorage, ThrottleLimiter> create)
    {
        var connection = await server.ConnectAsync().ConfigureAwait(false);
        var storage = new RedisStorage(connection, new RedisStorageOptions { KeyPrefix = "spec-" + name.Replace(' ', '-') });
        var limiter = create(storage);
        return new Participant(name, connection, async (_, _) =>
        {
            if (!await limiter.TryAcquireAsync("hot", 1, CancellationToken.None).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"The {name} rejected: the row's limit is meant never to be reached.");
            }
        }, () => storage.DisposeAsync());
    }

    /// <summary>A storage filled with <see cref="Keys"/> values; each op reads a random key, or one time in 20 writes it.</summary>
    private static async Task<Participant> KeyValueAsync(RedisServer server, string name, Func<ConnectionMultiplexer, ThrottleStorage> create)
    {
        var connection = await server.ConnectAsync().ConfigureAwait(false);
        var storage = create(connection);
        var keys = Enumerable.Range(0, Keys).Select(i => "kv:" + i).ToArray();
        foreach (var key in keys)
        {
            await storage.SetAsync(key, "value of " + key, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        }

        var random = new ThreadLocal<Random>(() => new Random(Environment.CurrentManagedThreadId));
        return new Participant(name, connection, async (_, _) =>
        {
            var draw = random.Value!.Next(Keys * 20);
            var key = keys[draw % Keys];
            if (draw < Keys)
            {
                await storage.SetAsync(key, "value of " + key, TimeSpan.FromMinutes(10), CancellationToken.None).ConfigureAwait(false);
            }
            else if (await storage.GetAsync(key, CancellationToken.None).ConfigureAwait(false) is null)
            {
                throw new InvalidOperationException($"{name} lost {key}.");
            }
        }, async () =>
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            random.Dispose();
        });
    }
}
