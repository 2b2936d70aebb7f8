using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Text;
using Prometheus;

namespace Throttle.Telemetry;

/// <summary>
/// Feeds the instruments of one meter (and Polly's) into prometheus-net collectors in a registry of their own; prometheus-net
/// formats and serves them. Written because prometheus-net 8.2.1's <c>MeterAdapter</c> published the instruments but
/// recorded none of their measurements here (.NET 10; see docs/metrics.md). Names follow the OpenTelemetry-to-Prometheus
/// rules: dots become underscores, durations in <c>s</c> add <c>_seconds</c>, durations in <c>ms</c> (the timings of
/// <see cref="ThrottleMetrics.Timing"/>) are converted to seconds (Prometheus' base unit) and add <c>_seconds</c>,
/// counters end in <c>_total</c>; tag names become label names the same way.
/// </summary>
internal sealed class PrometheusBridge : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly MetricFactory _factory;
    private bool _disposed;

    public PrometheusBridge(CollectorRegistry registry, Func<Instrument, bool> include)
    {
        Registry = registry;
        _factory = Metrics.WithCustomRegistry(registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (include(instrument))
            {
                listener.EnableMeasurementEvents(instrument, new Family(instrument, _factory));
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.Start();
        registry.AddBeforeCollectCallback(() =>
        {
            if (!_disposed)
            {
                _listener.RecordObservableInstruments();
            }
        });
    }

    public CollectorRegistry Registry { get; }

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
    }

    /// <summary>The Prometheus name of an instrument or tag: OpenTelemetry's translation.</summary>
    internal static string Translate(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>One instrument's metric family, created on its first measurement (its tag names become the labels).</summary>
    private sealed class Family(Instrument instrument, MetricFactory factory)
    {
        private readonly object _gate = new();
        private string[]? _tagNames;
        private Collector? _collector;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (instrument.Unit == "ms")
            {
                value /= 1000;
            }

            var collector = _collector ?? Create(tags);
            var labels = new string[_tagNames!.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = string.Empty;
                foreach (var tag in tags)
                {
                    if (tag.Key == _tagNames[i])
                    {
                        labels[i] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                        break;
                    }
                }
            }

            switch (collector)
            {
                case Counter counter when instrument.IsObservable:
                    counter.WithLabels(labels).IncTo(value);
                    break;
                case Counter counter:
                    counter.WithLabels(labels).Inc(value);
                    break;
                case Gauge gauge when IsUpDown(instrument) && !instrument.IsObservable:
                    gauge.WithLabels(labels).Inc(value);
                    break;
                case Gauge gauge:
                    gauge.WithLabels(labels).Set(value);
                    break;
                case Histogram histogram:
                    histogram.WithLabels(labels).Observe(value);
                    break;
            }
        }

        private Collector Create(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (_gate)
            {
                if (_collector is { } existing)
                {
                    return existing;
                }

                var tagNames = new string[tags.Length];
                for (var i = 0; i < tags.Length; i++)
                {
                    tagNames[i] = tags[i].Key;
                }

                Array.Sort(tagNames, StringComparer.Ordinal);
                var labelNames = Array.ConvertAll(tagNames, Translate);
                var name = Translate(instrument.Name) + instrument.Unit switch
                {
                    "s" or "ms" => "_seconds",
                    _ => string.Empty,
                };
                var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
                var type = instrument.GetType().Name;
                Collector collector = type.StartsWith("Histogram", StringComparison.Ordinal)
                    ? factory.CreateHistogram(name, help, labelNames, new HistogramConfiguration { Buckets = Buckets(instrument.Unit) })
                    : type.StartsWith("Counter", StringComparison.Ordinal) || type.StartsWith("ObservableCounter", StringComparison.Ordinal)
                        ? factory.CreateCounter(name + "_total", help, labelNames)
                        : factory.CreateGauge(name, help, labelNames);
                _tagNames = tagNames;
                _collector = collector;
                return collector;
            }
        }

        private static bool IsUpDown(Instrument instrument) => instrument.GetType().Name.StartsWith("UpDownCounter", StringComparison.Ordinal);

        private static double[] Buckets(string? unit) => unit switch
        {
            "s" or "ms" => Histogram.ExponentialBuckets(0.0001, 2, 22),
            _ => Histogram.ExponentialBuckets(0.01, 2, 25),
        };
    }
}
