using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Workers;

namespace Throttle.Telemetry;

/// <summary>
/// The specification's metrics API on a runtime's <c>Throttle</c> meter (<see cref="ThrottleRuntime.Metrics"/>):
/// <see cref="Increment"/>, <see cref="Gauge"/> and <see cref="Timing"/> for your own figures, and
/// <see cref="GetStats"/>, a snapshot of those and of Throttle's own instruments. Your figures are
/// <see cref="System.Diagnostics.Metrics"/> instruments on the same meter, so a Prometheus exporter or an OpenTelemetry
/// pipeline sees them too.
/// </summary>
/// <remarks>
/// <para>Safe for concurrent use. <see cref="GetStats"/> aggregates from the moment this object was first used (a
/// <see cref="MeterListener"/> starts then): read <see cref="ThrottleRuntime.Metrics"/> at start-up to count everything.
/// Percentiles come from a log-bucket sketch (DDSketch's method) with 1 % relative accuracy and constant memory.</para>
/// <para>Names follow OpenTelemetry's instrument-name syntax (an ASCII letter, then letters, digits, <c>_ . - /</c>, at
/// most 255 characters); names beginning with <c>throttle.</c> are Throttle's own and refused. A name keeps the kind
/// it was first used as.</para>
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The runtime owns it and stops its listener when the runtime's telemetry is disposed.")]
public sealed class ThrottleMetrics
{
    private const string ReservedPrefix = "throttle.";

    private readonly ThrottleTelemetry _telemetry;
    private readonly StatsCollector _collector;
    private readonly ConcurrentDictionary<string, object> _instruments = new(StringComparer.Ordinal);
    private PrometheusBridge? _prometheus;

    internal ThrottleMetrics(ThrottleTelemetry telemetry)
    {
        _telemetry = telemetry;
        _collector = new StatsCollector(telemetry.Meter);
    }

    /// <summary>The name of the meter every instrument of Throttle is on.</summary>
    public const string MeterName = TelemetryNames.Meter;

    /// <summary>Adds <paramref name="value"/> to the counter <paramref name="name"/> (created on first use).</summary>
    /// <param name="name">The counter's name.</param>
    /// <param name="value">What to add: zero or positive, finite. Default 1.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty, not a valid instrument name, reserved, or already a gauge or timing.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative, NaN or infinite.</exception>
    public void Increment(string name, double value = 1)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A counter only grows: add a finite value of zero or more.");
        }

        Get<Counter<double>>(name, static (meter, n) => meter.CreateCounter<double>(n), "a counter").Add(value);
    }

    /// <summary>Sets the gauge <paramref name="name"/> to <paramref name="value"/> (created on first use); it reports the latest value.</summary>
    /// <param name="name">The gauge's name.</param>
    /// <param name="value">The value now: finite.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty, not a valid instrument name, reserved, or already a counter or timing.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public void Gauge(string name, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A gauge holds a finite value.");
        }

        Get<GaugeValue>(name, static (meter, n) => new GaugeValue(meter, n), "a gauge").Set(value);
    }

    /// <summary>Records a duration of <paramref name="milliseconds"/> in the timing (histogram) <paramref name="name"/>, unit <c>ms</c>.</summary>
    /// <param name="name">The timing's name.</param>
    /// <param name="milliseconds">The duration: zero or positive, finite.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty, not a valid instrument name, reserved, or already a counter or gauge.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="milliseconds"/> is negative, NaN or infinite.</exception>
    public void Timing(string name, double milliseconds)
    {
        if (!(milliseconds >= 0) || double.IsInfinity(milliseconds))
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "A duration is a finite number of milliseconds, zero or more.");
        }

        Get<Histogram<double>>(name, static (meter, n) => meter.CreateHistogram<double>(n, "ms"), "a timing").Record(milliseconds);
    }

    /// <summary>
    /// A snapshot of every counter, gauge and histogram of the meter: yours and Throttle's, each series read whole
    /// (safe while other threads record).
    /// </summary>
    /// <returns>The snapshot; <see cref="ThrottleStats.ToJson"/> gives the specification's JSON.</returns>
    public ThrottleStats GetStats() => _collector.Snapshot();

    /// <summary>
    /// Reports <paramref name="pool"/>'s workers, waiting tasks and scaling decisions as <c>throttle.worker_pool.*</c>
    /// metrics tagged <paramref name="name"/>, until the returned handle is disposed.
    /// </summary>
    /// <param name="pool">The pool.</param>
    /// <param name="name">The tag value naming it (a bounded set: never a per-request value).</param>
    /// <returns>Disposing it stops the reporting.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The pool is already tracked.</exception>
    public IDisposable Track(WorkerPool pool, string name)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _telemetry.Observed.AddPool(pool, name);
    }

    /// <summary>
    /// Reports <paramref name="queue"/>'s length, finished items by result and (for a <see cref="DedupeWorkQueue{T}"/>)
    /// duplicates as <c>throttle.work_queue.*</c> metrics tagged <paramref name="name"/>, until the returned handle is disposed.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="queue">The queue.</param>
    /// <param name="name">The tag value naming it (a bounded set: never a per-request value).</param>
    /// <returns>Disposing it stops the reporting.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queue"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The queue is already tracked.</exception>
    public IDisposable Track<T>(WorkQueue<T> queue, string name)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Func<long>? duplicates = queue is DedupeWorkQueue<T> dedupe ? () => dedupe.DuplicateCount : null;
        return _telemetry.Observed.AddWorkQueue(
            queue, name, new ObservedResources.WorkQueueCounts(() => queue.Count, () => queue.ProcessedCount, () => queue.FailedCount, duplicates));
    }

    /// <summary>
    /// Writes the meter's instruments (and Polly's) in Prometheus' text format to <paramref name="destination"/>: the body
    /// of an ASP.NET Core <c>/metrics</c> endpoint (<c>text/plain; version=0.0.4</c>). The first call starts the
    /// collection (prometheus-net collectors fed by a listener), so call it once at start-up to count from there.
    /// </summary>
    /// <param name="destination">Where the exposition goes; left open.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Completes when the text is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    public Task WritePrometheusAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var bridge = Volatile.Read(ref _prometheus);
        if (bridge is null)
        {
            var meter = _telemetry.Meter;
            var created = new PrometheusBridge(Prometheus.Metrics.NewCustomRegistry(), i => ReferenceEquals(i.Meter, meter) || i.Meter.Name == "Polly");
            bridge = Interlocked.CompareExchange(ref _prometheus, created, null) ?? created;
            if (!ReferenceEquals(bridge, created))
            {
                created.Dispose();
            }
        }

        return bridge.Registry.CollectAndExportAsTextAsync(destination, cancellationToken);
    }

    internal void Dispose()
    {
        _collector.Dispose();
        Volatile.Read(ref _prometheus)?.Dispose();
    }

    private TInstrument Get<TInstrument>(string name, Func<Meter, string, TInstrument> create, string kind)
        where TInstrument : class
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_instruments.TryGetValue(name, out var instrument))
        {
            MetricName.Check(name, nameof(name));
            if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Metric names beginning with '{ReservedPrefix}' are Throttle's own; choose another name than '{name}'.", nameof(name));
            }

            instrument = _instruments.GetOrAdd(name, static (n, state) => state.create(state.meter, n), (create, meter: _telemetry.Meter));
        }

        return instrument as TInstrument
            ?? throw new ArgumentException($"The metric '{name}' is already {Describe(instrument)}; it cannot also be {kind}.", nameof(name));
    }

    private static string Describe(object instrument) => instrument switch
    {
        Counter<double> => "a counter",
        GaugeValue => "a gauge",
        _ => "a timing",
    };

    /// <summary>A gauge set by value: an observable gauge that reports the latest value set.</summary>
    private sealed class GaugeValue
    {
        private long _bits;

        public GaugeValue(Meter meter, string name)
        {
            meter.CreateObservableGauge(name, () => Value);
        }

        private double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

        public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));
    }
}
