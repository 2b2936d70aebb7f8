using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// Runs Redis rows in interleaved rounds on one server: for each round, every participant in turn (Throttle, peer,
/// Throttle, peer, …), each after a <c>CONFIG RESETSTAT</c> and followed by an <c>INFO commandstats</c>, so the
/// server's counters belong to that participant's round alone. Figures are medians over the rounds. Every operation's
/// latency (call to completion, <see cref="Stopwatch"/> ticks) is recorded too, for the percentiles of a round.
/// </summary>
internal sealed class RedisRounds(IServer admin, int rounds, TimeSpan roundLength, TimeSpan warmUp)
{
    public int Rounds { get; } = rounds;

    public TimeSpan RoundLength { get; } = roundLength;

    /// <summary>Runs every participant for <see cref="Rounds"/> rounds of <paramref name="workers"/> concurrent workers.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<Round>>> RunAsync(string row, int workers, IReadOnlyList<Participant> participants)
    {
        var results = participants.Select(_ => new List<Round>()).ToArray();
        foreach (var participant in participants)
        {
            await RunWorkersAsync(participant, workers, warmUp).ConfigureAwait(false);
        }

        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < participants.Count; i++)
            {
                var participant = participants[i];
                await admin.ConfigResetStatisticsAsync().ConfigureAwait(false);
                var sentBefore = participant.Connection.OperationCount;
                var serverCpuBefore = ServerCpu(await admin.InfoRawAsync("cpu").ConfigureAwait(false));
                var clientCpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                var (perWorker, seconds, latencies) = await RunWorkersAsync(participant, workers, RoundLength).ConfigureAwait(false);
                var clientCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore;
                var serverCpu = ServerCpu(await admin.InfoRawAsync("cpu").ConfigureAwait(false)) - serverCpuBefore;
                var sent = participant.Connection.OperationCount - sentBefore;
                var stats = CommandStats.Parse(await admin.InfoRawAsync("commandstats").ConfigureAwait(false) ?? string.Empty);
                var result = new Round(perWorker.Sum(), seconds, sent, stats, perWorker, latencies);
                results[i].Add(result);
                var clientCpuPerOp = clientCpu.TotalMicroseconds / result.Operations;
                var serverCpuPerOp = serverCpu * 1e6 / result.Operations;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {row} | round {round + 1} | {participant.Name}: {result.OpsPerSecond:N0}/s, {result.RoundTripsPerOp:0.00} round trips/op, " +
                    $"{result.CommandsPerOp:0.00} commands/op ({stats.Describe(result.Operations)}), latency p50 {result.LatencyP50Ms:0.000} / p99 {result.LatencyP99Ms:0.000} ms, " +
                    $"per worker {result.MinPerWorker}-{result.MaxPerWorker}, CPU µs/op client {clientCpuPerOp:0.0} server {serverCpuPerOp:0.0}, load {LoadAverage.Read()}"));
            }
        }

        return results;
    }

    /// <summary>The server's CPU time so far, in seconds: <c>used_cpu_sys</c> + <c>used_cpu_user</c> of <c>INFO cpu</c>.</summary>
    private static double ServerCpu(string? info)
    {
        double total = 0;
        foreach (var line in (info ?? string.Empty).Split('\n'))
        {
            if (line.StartsWith("used_cpu_sys:", StringComparison.Ordinal) || line.StartsWith("used_cpu_user:", StringComparison.Ordinal))
            {
                total += double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>
    /// <paramref name="workers"/> loops calling the operation until <paramref name="length"/> has passed; the token handed
    /// to the operation is cancelled then, so a worker stuck waiting (a semaphore) returns, and that wait is not counted.
    /// Answers the operations per worker, the seconds, and every completed operation's latency in ms, sorted.
    /// </summary>
    public static async Task<(long[] PerWorker, double Seconds, double[] LatenciesMs)> RunWorkersAsync(Participant participant, int workers, TimeSpan length)
    {
        var perWorker = new long[workers];
        var latencies = new List<long>[workers];
        using var end = new CancellationTokenSource();
        var started = Stopwatch.GetTimestamp();
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            var samples = latencies[w] = new List<long>(4096);
            tasks[w] = Task.Run(async () =>
            {
                while (!end.IsCancellationRequested)
                {
                    var begun = Stopwatch.GetTimestamp();
                    try
                    {
                        await participant.Operation(worker, end.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (end.IsCancellationRequested)
                    {
                        return;
                    }

                    samples.Add(Stopwatch.GetTimestamp() - begun);
                    perWorker[worker]++;
                }
            });
        }

        end.CancelAfter(length);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(samples => samples).Select(ticks => ticks * 1000.0 / Stopwatch.Frequency).ToArray();
        Array.Sort(all);
        return (perWorker, seconds, all);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(value => value).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..1) of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
