using System;
using System.Globalization;
using System.IO;
using System.Text;
using Throttle.Benchmarks.Harness;

namespace Throttle.Benchmarks.Telemetry;

/// <summary>
/// <c>-- telemetry</c>: <see cref="TelemetryOverheadBenchmarks"/> and <see cref="LoggingOverheadBenchmarks"/> in this
/// process (ShortRun unless <c>--job</c> says otherwise), each row's cost over its baseline against issue 13's goals,
/// with the load average around the run.
/// </summary>
internal static class TelemetryCommand
{
    public const string Section = "telemetry";

    public static string Run(CommandOptions options)
    {
        var loadBefore = LoadAverage.Read();
        var artifacts = Path.Combine(Path.GetTempPath(), "throttle-telemetry-" + Guid.NewGuid().ToString("N")[..8]);
        var (rows, table) = InProcessBdn.Run<TelemetryOverheadBenchmarks>(artifacts, options.Job);
        var loadAfter = LoadAverage.Read();
        var baseline = rows.Baseline(string.Empty);

        var text = new StringBuilder();
        text.Append("| row | mean ± error | over the baseline | allocated | goal |\n| --- | --- | --- | --- | --- |\n");
        foreach (var (description, goal) in new[]
                 {
                     (TelemetryOverheadBenchmarks.Detached, double.NaN),
                     (TelemetryOverheadBenchmarks.NoListener, 2.0),
                     (TelemetryOverheadBenchmarks.Listener, 25.0),
                     (TelemetryOverheadBenchmarks.GetStats, double.NaN),
                 })
        {
            var row = rows.Find(string.Empty, description);
            var over = row.MeanNs - baseline.MeanNs;
            // A verdict only where the difference is larger than the two means' error bars; else the run cannot tell.
            var noise = row.ErrorNs + baseline.ErrorNs;
            var verdict = double.IsNaN(goal) ? "—"
                : Math.Abs(over - goal) <= noise || double.IsNaN(noise) ? Report.Format($"≤ +{goal:0} ns: cannot tell (error bars ±{noise:0.0} ns)")
                : Report.Format($"≤ +{goal:0} ns: {(over <= goal ? "met" : "not met")}");
            var allocation = row.AllocatedBytes is { } bytes ? Report.Format($"{bytes} B") : "?";
            text.Append(Report.Format($"| {description} | {row.MeanNs:0.0} ± {row.ErrorNs:0.0} ns | {(row.Baseline ? "—" : Report.Format($"{over:+0.0;-0.0} ns"))} | {allocation} | {verdict} |\n"));
        }

        text.Append(Report.Format(
            $"\nMeasured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC (code at {GitCommit.Describe()}), BenchmarkDotNet {options.Job} job in process, {Environment.ProcessorCount} cores; load average (1/5/15 min) {loadBefore} before, {loadAfter} after. \"Error\" is half BenchmarkDotNet's 99.9 % confidence interval; a goal is judged only where the difference from it is larger than both rows' errors together.\n\n"));
        text.Append(table).Append('\n');
        AppendLogging(text, options, artifacts);
        return text.ToString();
    }

    /// <summary>Issue 13 item 3: what logging configured with Debug off adds (goal: 0 B and nothing measurable), per category.</summary>
    private static void AppendLogging(StringBuilder text, CommandOptions options, string artifacts)
    {
        var loadBefore = LoadAverage.Read();
        var (rows, table) = InProcessBdn.Run<LoggingOverheadBenchmarks>(artifacts + "-logging", options.Job);
        var loadAfter = LoadAverage.Read();
        text.Append("\nLogging at Information (Debug off) against no logger factory, on the path with a free permit and on a rejection (logged at Debug):\n\n");
        text.Append("| path | no logger factory | logging, Debug off | added | allocated (no logger / logging) | verdict |\n| --- | --- | --- | --- | --- | --- |\n");
        foreach (var category in new[] { LoggingOverheadBenchmarks.FreePermit, LoggingOverheadBenchmarks.Rejection })
        {
            var plain = rows.Find(category, LoggingOverheadBenchmarks.NoLogger);
            var logged = rows.Find(category, LoggingOverheadBenchmarks.DebugOff);
            var added = logged.MeanNs - plain.MeanNs;
            var noise = logged.ErrorNs + plain.ErrorNs;
            var sameBytes = plain.AllocatedBytes is { } a && logged.AllocatedBytes is { } b && a == b;
            var verdict = !sameBytes ? "allocates more: not met"
                : Math.Abs(added) <= noise ? Report.Format($"0 B added, time within the error bars (±{noise:0.0} ns): met")
                : added < 0 ? "0 B added, faster: met"
                : Report.Format($"0 B added, +{added:0.0} ns beyond the error bars: not met");
            text.Append(Report.Format(
                $"| {category} | {plain.MeanNs:0.0} ± {plain.ErrorNs:0.0} ns | {logged.MeanNs:0.0} ± {logged.ErrorNs:0.0} ns | {added:+0.0;-0.0} ns | {plain.AllocatedBytes?.ToString(CultureInfo.InvariantCulture) ?? "?"} B / {logged.AllocatedBytes?.ToString(CultureInfo.InvariantCulture) ?? "?"} B | {verdict} |\n"));
        }

        text.Append(Report.Format($"\nLoad average {loadBefore} before, {loadAfter} after.\n\n")).Append(table).Append('\n');
    }
}
