using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Threading;

namespace Throttle.Telemetry;

/// <summary>
/// Aggregates the measurements of one meter's instruments for <see cref="ThrottleMetrics.GetStats"/>, through a
/// <see cref="MeterListener"/>: counters are summed, observable counters, up-down counters and gauges keep their
/// latest value, histograms go into a <see cref="LogBucketHistogram"/>. One series per instrument and tag set (tags
/// are bounded: no partition key is ever a tag). Each series has its own lock, so a snapshot reads every series whole.
/// A measurement of a known series allocates nothing.
/// </summary>
internal sealed class StatsCollector : IDisposable
{
    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly object _snapshotGate = new();
    private readonly List<InstrumentSeries> _series = [];

    public StatsCollector(Meter meter)
    {
        _meter = meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter))
            {
                var series = new InstrumentSeries(instrument);
                lock (_series)
                {
                    _series.Add(series);
                }

                listener.EnableMeasurementEvents(instrument, series);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.MeasurementsCompleted = (_, state) =>
        {
            lock (_series)
            {
                _series.Remove((InstrumentSeries)state!);
            }
        };
        _listener.Start();
    }

    /// <summary>Reads every series: observable instruments are observed first.</summary>
    public ThrottleStats Snapshot()
    {
        lock (_snapshotGate)
        {
            _listener.RecordObservableInstruments();
            var counters = new SortedDictionary<string, double>(StringComparer.Ordinal);
            var gauges = new SortedDictionary<string, double>(StringComparer.Ordinal);
            var histograms = new SortedDictionary<string, HistogramStats>(StringComparer.Ordinal);
            InstrumentSeries[] all;
            lock (_series)
            {
                all = [.. _series];
            }

            foreach (var instrument in all)
            {
                instrument.CopyTo(counters, gauges, histograms);
            }

            return new ThrottleStats(counters, gauges, histograms);
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The series of one instrument.</summary>
    private sealed class InstrumentSeries
    {
        private readonly Instrument _instrument;
        private readonly Kind _kind;
        private Entry[] _entries = [];

        public InstrumentSeries(Instrument instrument)
        {
            _instrument = instrument;
            var type = instrument.GetType();
            _kind = instrument.IsObservable
                ? type.Name.StartsWith("ObservableCounter", StringComparison.Ordinal) ? Kind.ObservedTotal : Kind.Gauge
                : type.Name.StartsWith("Histogram", StringComparison.Ordinal) ? Kind.Histogram
                : type.Name.StartsWith("UpDownCounter", StringComparison.Ordinal) ? Kind.UpDown
                : type.Name.StartsWith("Gauge", StringComparison.Ordinal) ? Kind.Gauge
                : Kind.Sum;
        }

        private enum Kind
        {
            Sum,
            UpDown,
            ObservedTotal,
            Gauge,
            Histogram,
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (double.IsNaN(value))
            {
                return;
            }

            var entry = Find(tags) ?? Add(tags);
            lock (entry)
            {
                switch (_kind)
                {
                    case Kind.Sum:
                    case Kind.UpDown:
                        entry.Value += value;
                        break;
                    case Kind.ObservedTotal:
                    case Kind.Gauge:
                        entry.Value = value;
                        break;
                    case Kind.Histogram:
                        if (value >= 0 && !double.IsInfinity(value))
                        {
                            entry.Histogram!.Record(value);
                        }

                        break;
                }
            }
        }

        public void CopyTo(
            IDictionary<string, double> counters, IDictionary<string, double> gauges, IDictionary<string, HistogramStats> histograms)
        {
            foreach (var entry in Volatile.Read(ref _entries))
            {
                lock (entry)
                {
                    switch (_kind)
                    {
                        case Kind.Sum:
                        case Kind.ObservedTotal:
                            counters[entry.Key] = entry.Value;
                            break;
                        case Kind.UpDown:
                        case Kind.Gauge:
                            gauges[entry.Key] = entry.Value;
                            break;
                        case Kind.Histogram:
                            var h = entry.Histogram!;
                            if (h.Count > 0)
                            {
                                histograms[entry.Key] = new HistogramStats(h.Count, h.Mean, h.Quantile(0.50), h.Quantile(0.95), h.Quantile(0.99));
                            }

                            break;
                    }
                }
            }
        }

        private Entry? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var entry in Volatile.Read(ref _entries))
            {
                if (entry.Matches(tags))
                {
                    return entry;
                }
            }

            return null;
        }

        private Entry Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (this)
            {
                if (Find(tags) is { } existing)
                {
                    return existing;
                }

                var entry = new Entry(_instrument.Name, tags.ToArray(), _kind == Kind.Histogram);
                _entries = [.. _entries, entry];
                return entry;
            }
        }
    }

    /// <summary>One series: an instrument's values for one tag set.</summary>
    private sealed class Entry
    {
        private readonly KeyValuePair<string, object?>[] _tags;

        public Entry(string name, KeyValuePair<string, object?>[] tags, bool histogram)
        {
            _tags = tags;
            Key = FormatKey(name, tags);
            Histogram = histogram ? new LogBucketHistogram() : null;
        }

        /// <summary><c>name</c>, or <c>name{tag=value,...}</c> with tags in ordinal order.</summary>
        public string Key { get; }

        public double Value { get; set; }

        public LogBucketHistogram? Histogram { get; }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != _tags.Length)
            {
                return false;
            }

            // Call sites add tags in one order, so the first comparison usually decides; any order is accepted.
            for (var i = 0; i < tags.Length; i++)
            {
                if (!Contains(tags[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Contains(KeyValuePair<string, object?> tag)
        {
            foreach (var own in _tags)
            {
                if (string.Equals(own.Key, tag.Key, StringComparison.Ordinal) && Equals(own.Value, tag.Value))
                {
                    return true;
                }
            }

            return false;
        }

        private static string FormatKey(string name, KeyValuePair<string, object?>[] tags)
        {
            if (tags.Length == 0)
            {
                return name;
            }

            var sorted = (KeyValuePair<string, object?>[])tags.Clone();
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var builder = new StringBuilder(name).Append('{');
            for (var i = 0; i < sorted.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                builder.Append(sorted[i].Key).Append('=').Append(Convert.ToString(sorted[i].Value, CultureInfo.InvariantCulture));
            }

            return builder.Append('}').ToString();
        }
    }
}
