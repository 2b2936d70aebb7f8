using System;
using System.IO;
using System.Threading.Tasks;
using Throttle.Benchmarks.Harness;
using Throttle.Testing.Redis;

namespace Throttle.Benchmarks.Peers;

/// <summary>
/// <c>dotnet run -c Release --project tests/Throttle.Benchmarks -- peers [--rounds N] [--seconds S] [--job short|default]</c>:
/// issue 15's table, every row against its peer in one run. In-memory rows: BenchmarkDotNet in this process, peer as
/// the ratio baseline. Redis rows: one redis-server this command starts on a loopback port, interleaved rounds, medians.
/// Writes the table between the <c>peers</c> markers of the benchmarks README.
/// </summary>
internal static class PeersCommand
{
    public const string Section = "peers";

    public static async Task<string> RunAsync(CommandOptions options)
    {
        var report = new Report();
        var loadBefore = LoadAverage.Read();
        var started = DateTime.UtcNow;

        var bdnTable = string.Empty;
        if (options.Memory)
        {
            var artifacts = Path.Combine(Path.GetTempPath(), "throttle-peers-" + Guid.NewGuid().ToString("N")[..8]);
            (var rows, bdnTable) = InProcessBdn.Run<InMemoryPeerBenchmarks>(artifacts, options.Job);
            InMemoryRows(rows, report);
        }

        var loadAfterMemory = LoadAverage.Read();
        if (!options.Redis)
        {
            report.Note(Report.Format($"In-memory rows only; load average {loadBefore} before, {loadAfterMemory} after.\n\n{bdnTable}"));
            return report.ToMarkdown();
        }

        await using var server = await RedisServer.StartDedicatedAsync().ConfigureAwait(false);
        await using var admin = await server.ConnectAsync(o => o.AllowAdmin = true).ConfigureAwait(false);
        var redisVersion = admin.GetServer(server.Endpoint).Version;
        var rounds = new RedisRounds(admin.GetServer(server.Endpoint), options.Rounds, options.RoundLength, TimeSpan.FromSeconds(0.5));
        await new RedisPeerRows(server, rounds, report).RunAllAsync(options.Rows).ConfigureAwait(false);

        report.Note(Report.Format(
            $"Measured {started:yyyy-MM-dd HH:mm} UTC (code at {GitCommit.Describe()}) on {Environment.ProcessorCount} cores ({Environment.MachineName}), {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, Redis {redisVersion} ({server.Description}). Load average (1/5/15 min): {loadBefore} at the start, {loadAfterMemory} after the in-memory rows, {LoadAverage.Read()} at the end. In memory: BenchmarkDotNet {options.Job} job, in process, Mean per call. Redis: {options.Rounds} interleaved rounds of {options.RoundLength.TotalSeconds:0.#} s per library, medians."));
        report.Note("BenchmarkDotNet's own table of the in-memory rows (Ratio against the STRL baseline of each category):\n\n" + bdnTable);
        return report.ToMarkdown();
    }

    private static void InMemoryRows(System.Collections.Generic.IReadOnlyList<InProcessBdn.Row> rows, Report report)
    {
        var oneKey = rows.Baseline(InMemoryPeerBenchmarks.OneKey);
        var tryAcquire = rows.Find(InMemoryPeerBenchmarks.OneKey, "TokenBucketLimiter.TryAcquireAsync");
        var wrapper = rows.Find(InMemoryPeerBenchmarks.OneKey, "[RateLimit] int wrapper");
        var clock = rows.Find(InMemoryPeerBenchmarks.OneKey, "Stopwatch.GetTimestamp()");
        report.Summary(
            "in memory, one key, `TryAcquireAsync` / `[RateLimit]` wrapper",
            Report.Format($"{tryAcquire.MeanNs:0.0} / {wrapper.MeanNs:0.0} ns, {Bytes(tryAcquire)} / {Bytes(wrapper)}"),
            Report.Format($"STRL `TokenBucketRateLimiter` {oneKey.MeanNs:0.0} ns, {Bytes(oneKey)} (`Stopwatch.GetTimestamp` {clock.MeanNs:0.0} ns: goal ≤ {oneKey.MeanNs + clock.MeanNs:0.0} ns)"),
            Report.Format($"{tryAcquire.MeanNs / oneKey.MeanNs:0.00} / {wrapper.MeanNs / oneKey.MeanNs:0.00} (vs peer + clock: {tryAcquire.MeanNs / (oneKey.MeanNs + clock.MeanNs):0.00} / {wrapper.MeanNs / (oneKey.MeanNs + clock.MeanNs):0.00})"));

        var thousand = rows.Baseline(InMemoryPeerBenchmarks.ThousandKeys);
        var keyed = rows.Find(InMemoryPeerBenchmarks.ThousandKeys, "[RateLimit(Key = userId)] int wrapper");
        var keyedTry = rows.Find(InMemoryPeerBenchmarks.ThousandKeys, "TokenBucketLimiter.TryAcquireAsync");
        report.Summary(
            "in memory, 1,000 keys, `[RateLimit(Key = ...)]` wrapper (`TryAcquireAsync`)",
            Report.Format($"{keyed.MeanNs:0.0} ns, {Bytes(keyed)} ({keyedTry.MeanNs:0.0} ns, {Bytes(keyedTry)})"),
            Report.Format($"STRL `PartitionedRateLimiter` {thousand.MeanNs:0.0} ns, {Bytes(thousand)}"),
            Report.Format($"{keyed.MeanNs / thousand.MeanNs:0.00} ({keyedTry.MeanNs / thousand.MeanNs:0.00})"));
    }

    private static string Bytes(InProcessBdn.Row row) => row.AllocatedBytes is { } bytes ? Report.Format($"{bytes} B") : "? B";
}
