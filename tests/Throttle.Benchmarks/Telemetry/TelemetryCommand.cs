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
        return text.ToString();
    }
}
