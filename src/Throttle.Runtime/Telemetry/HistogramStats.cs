namespace Throttle.Telemetry;

/// <summary>
/// One histogram in <see cref="ThrottleStats"/>: how many values, their exact mean, and percentiles estimated within
/// 1 % relative error (a log-bucket sketch in the manner of DDSketch; see docs/metrics.md). Values are in the
/// instrument's unit: milliseconds for <see cref="ThrottleMetrics.Timing"/>, seconds for Throttle's own durations.
/// </summary>
/// <param name="Count">Values recorded.</param>
/// <param name="Mean">Their arithmetic mean.</param>
/// <param name="P50">The median.</param>
/// <param name="P95">The 95th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
public readonly record struct HistogramStats(long Count, double Mean, double P50, double P95, double P99);
