using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Throttle.Testing;

namespace Throttle.Tests.Telemetry;

/// <summary>A runtime on a fake clock whose logs are collected, and collectors of its instruments.</summary>
internal sealed class TelemetryTestKit : IDisposable
{
    private readonly LoggerFactory _loggerFactory;

    public TelemetryTestKit(Action<ThrottleRuntimeOptions>? configure = null)
    {
        Logs = new FakeLoggerProvider();
        _loggerFactory = new LoggerFactory([Logs], new LoggerFilterOptions { MinLevel = LogLevel.Debug });
        var options = new ThrottleRuntimeOptions { TimeProvider = Clock, MaxKeys = 100, LoggerFactory = _loggerFactory };
        configure?.Invoke(options);
        Runtime = new ThrottleRuntime(options);
    }

    public TestClock Clock { get; } = new();

    public ThrottleRuntime Runtime { get; }

    public FakeLoggerProvider Logs { get; }

    public Meter Meter => Runtime.Telemetry.Meter;

    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(Meter, instrument, Clock);

    /// <summary>The collected log records with <paramref name="eventId"/>.</summary>
    public IReadOnlyList<FakeLogRecord> LogsWithId(int eventId) =>
        Logs.Collector.GetSnapshot().Where(record => record.Id.Id == eventId).ToList();

    public void Dispose()
    {
        Runtime.Telemetry.Dispose();
        _loggerFactory.Dispose();
    }
}
