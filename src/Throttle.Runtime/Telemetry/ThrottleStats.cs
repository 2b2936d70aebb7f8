using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Throttle.Telemetry;

/// <summary>
/// A snapshot of a runtime's metrics (<see cref="ThrottleMetrics.GetStats"/>) in the specification's shape:
/// <c>{ "counters": {...}, "gauges": {...}, "histograms": { name: { count, mean, p50, p95, p99 } } }</c>.
/// A series is named after its instrument, followed by its tags when it has some:
/// <c>throttle.rate_limit.requests{throttle.rate_limit.limiter=github,throttle.rate_limit.result=acquired}</c>.
/// </summary>
public sealed class ThrottleStats
{
    internal ThrottleStats(
        IReadOnlyDictionary<string, double> counters, IReadOnlyDictionary<string, double> gauges, IReadOnlyDictionary<string, HistogramStats> histograms)
    {
        Counters = counters;
        Gauges = gauges;
        Histograms = histograms;
    }

    /// <summary>Totals: <see cref="ThrottleMetrics.Increment"/> counters and Throttle's counters (requests, calls, failures).</summary>
    public IReadOnlyDictionary<string, double> Counters { get; }

    /// <summary>Latest values: <see cref="ThrottleMetrics.Gauge"/> gauges and Throttle's (queue lengths, tokens, leases).</summary>
    public IReadOnlyDictionary<string, double> Gauges { get; }

    /// <summary>Distributions: <see cref="ThrottleMetrics.Timing"/> timings and Throttle's durations.</summary>
    public IReadOnlyDictionary<string, HistogramStats> Histograms { get; }

    /// <summary>The snapshot as JSON, in the specification's shape and key names.</summary>
    /// <returns>UTF-8 JSON text; numbers in invariant form.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            WriteValues(writer, "counters", Counters);
            WriteValues(writer, "gauges", Gauges);
            writer.WriteStartObject("histograms");
            foreach (var (name, histogram) in Histograms)
            {
                writer.WriteStartObject(name);
                writer.WriteNumber("count", histogram.Count);
                writer.WriteNumber("mean", histogram.Mean);
                writer.WriteNumber("p50", histogram.P50);
                writer.WriteNumber("p95", histogram.P95);
                writer.WriteNumber("p99", histogram.P99);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteValues(Utf8JsonWriter writer, string property, IReadOnlyDictionary<string, double> values)
    {
        writer.WriteStartObject(property);
        foreach (var (name, value) in values)
        {
            writer.WriteNumber(name, value);
        }

        writer.WriteEndObject();
    }
}
