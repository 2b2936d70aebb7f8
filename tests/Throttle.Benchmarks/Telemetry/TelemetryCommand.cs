using System;
using System.IO;
using System.Text;
using Throttle.Benchmarks.Harness;

namespace Throttle.Benchmarks.Telemetry;

/// <summary>
/// <c>-- telemetry</c>: <see cref="TelemetryOverheadBenchmarks"/> in this process (ShortRun unless <c>--job default</c>),
/// each row's cost over the hook-less baseline against issue 13's goals, with the load average around the run.
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
        text.Append("| row | mean | over the baseline | allocated | goal |\n| --- | --- | --- | --- | --- |\n");
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
            var verdict = double.IsNaN(goal) ? "—" : Report.Format($"≤ +{goal:0} ns: {(over <= goal ? "met" : "not met")}");
            var allocation = row.AllocatedBytes is { } bytes ? Report.Format($"{bytes} B") : "?";
            text.Append(Report.Format($"| {description} | {row.MeanNs:0.0} ns | {(row.Baseline ? "—" : Report.Format($"{over:+0.0;-0.0} ns"))} | {allocation} | {verdict} |\n"));
        }

        text.Append(Report.Format(
            $"\nMeasured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, BenchmarkDotNet {options.Job} job in process, {Environment.ProcessorCount} cores; load average (1/5/15 min) {loadBefore} before, {loadAfter} after. A ShortRun's error bars on a shared machine are a few ns wide: a difference of ±2 ns is within the noise.\n\n"));
        text.Append(table).Append('\n');
        return text.ToString();
    }
}
