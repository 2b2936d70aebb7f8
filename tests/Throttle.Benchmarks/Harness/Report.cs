using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Throttle.Benchmarks.Harness;

/// <summary>The tables a command writes: a summary (case, Throttle, peer, ratio) and per-participant Redis details.</summary>
/// <param name="columns">The summary's headers: the case, the two sides, their comparison.</param>
internal sealed class Report(params string[] columns)
{
    private readonly List<string[]> _summary = [];
    private readonly List<string[]> _details = [];
    private readonly List<string> _notes = [];

    public void Summary(string @case, string throttle, string peer, string ratio) => _summary.Add([@case, throttle, peer, ratio]);

    public void Note(string note) => _notes.Add(note);

    /// <summary>One participant of a Redis row: medians over its rounds (latency: the median of the rounds' percentiles),
    /// fairness from its median-throughput round.</summary>
    public void Detail(string row, string participant, IReadOnlyList<Round> rounds, string unit)
    {
        var median = rounds.OrderBy(round => round.OpsPerSecond).ElementAt(rounds.Count / 2);
        _details.Add([
            row,
            participant,
            Format($"{RedisRounds.Median(rounds.Select(r => r.OpsPerSecond)):N0} {unit}"),
            string.Join(", ", rounds.Select(r => Format($"{r.OpsPerSecond:N0}"))),
            Format($"{RedisRounds.Median(rounds.Select(r => r.RoundTripsPerOp)):0.00}"),
            Format($"{RedisRounds.Median(rounds.Select(r => r.CommandsPerOp)):0.00}"),
            Format($"{RedisRounds.Median(rounds.Select(r => r.ScriptCallsPerOp)):0.00}"),
            Format($"{RedisRounds.Median(rounds.Select(r => r.ScriptMicrosPerOp)):0.0}"),
            median.PerWorker.Length > 1 ? Format($"{median.MinPerWorker}–{median.MaxPerWorker} (of {median.PerWorker.Length})") : "—",
            Format($"{RedisRounds.Median(rounds.Select(r => r.LatencyP50Ms)):0.000} / {RedisRounds.Median(rounds.Select(r => r.LatencyP99Ms)):0.000}"),
        ]);
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        Table(text, columns.Length == 4 ? columns : ["case", "Throttle", "peer", "ratio (Throttle ÷ peer)"], _summary);
        if (_details.Count > 0)
        {
            text.Append('\n');
            Table(text, ["Redis row", "side", "median", "rounds", "round trips/op", "server commands/op", "script calls/op", "script µs/op", "ops per worker, min–max", "latency p50 / p99 (ms)"], _details);
        }

        foreach (var note in _notes)
        {
            text.Append('\n').Append(note).Append('\n');
        }

        return text.ToString();
    }

    public static string Format(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Table(StringBuilder text, string[] header, List<string[]> rows)
    {
        text.Append("| ").AppendJoin(" | ", header).Append(" |\n");
        text.Append('|').AppendJoin("|", header.Select(_ => " --- ")).Append("|\n");
        foreach (var row in rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
        }
    }
}
