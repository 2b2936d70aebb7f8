using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Telemetry;
using Throttle.Tests.Resilience;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>Breaker transitions and rejections (metrics and logs), retries, and Polly's own telemetry on Throttle's pipelines.</summary>
public sealed class ResilienceTelemetryTests : IDisposable
{
    private const string Breaker = "payments";
    private readonly TelemetryTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public async Task A_breaker_logs_and_counts_each_transition_and_rejection()
    {
        using var transitions = _kit.Collect<long>(TelemetryNames.CircuitBreakerTransitions);
        using var rejections = _kit.Collect<long>(TelemetryNames.CircuitBreakerRejectedCalls);
        var pipeline = _kit.Runtime.ResolvePipeline(Calls.Breaker("Ns.Type.Pay()", threshold: 2, breakSeconds: 10, name: Breaker));

        await Calls.FailAsync(pipeline, 2);
        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipeline, null));
        _kit.Clock.Advance(TimeSpan.FromSeconds(10));
        await Calls.SucceedAsync(pipeline);

        Assert.Equal(
            ["open", "half_open", "closed"],
            transitions.GetMeasurementSnapshot().Select(m => (string)m.Tags[TelemetryNames.CircuitBreakerStateTag]!).ToArray());
        Assert.All(transitions.GetMeasurementSnapshot(), m => Assert.Equal(Breaker, m.Tags[TelemetryNames.CircuitBreakerTag]));
        Assert.Equal(1, Assert.Single(rejections.GetMeasurementSnapshot()).Value);

        var opened = Assert.Single(_kit.LogsWithId(3001));
        Assert.Equal(LogLevel.Warning, opened.Level);
        Assert.Equal("Circuit breaker 'payments' opened after 2 consecutive failures; calls are rejected for 10 s", opened.Message);
        Assert.IsType<InvalidOperationException>(opened.Exception);
        Assert.Equal(LogLevel.Information, Assert.Single(_kit.LogsWithId(3002)).Level);
        Assert.Equal(LogLevel.Information, Assert.Single(_kit.LogsWithId(3003)).Level);
        Assert.Equal(LogLevel.Debug, Assert.Single(_kit.LogsWithId(3005)).Level);
    }

    [Fact]
    public async Task Isolating_and_closing_by_hand_are_transitions_too()
    {
        using var transitions = _kit.Collect<long>(TelemetryNames.CircuitBreakerTransitions);
        var pipeline = _kit.Runtime.ResolvePipeline(Calls.Breaker("Ns.Type.Pay()", name: Breaker));
        var breaker = _kit.Runtime.GetCircuitBreaker(Breaker);
        await breaker.CloseAsync(); // already closed: no transition
        await breaker.IsolateAsync();
        await breaker.CloseAsync();
        await Calls.SucceedAsync(pipeline);

        Assert.Equal(["isolated", "closed"], transitions.GetMeasurementSnapshot().Select(m => (string)m.Tags[TelemetryNames.CircuitBreakerStateTag]!).ToArray());
        Assert.Equal(LogLevel.Warning, Assert.Single(_kit.LogsWithId(3004)).Level);
    }

    [Fact]
    public async Task Retries_are_counted_and_Pollys_own_instruments_report_on_Throttles_pipelines()
    {
        using var retries = _kit.Collect<long>(TelemetryNames.RetryAttempts);
        var polly = new List<(string Instrument, string? Pipeline)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Polly")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        const string Id = "Ns.Type.Telemetry.Retried()";
        var site = new ResilienceSite(Id, null, new RetryOptions { MaxRetries = 2, BaseDelaySeconds = 0.001, Jitter = false });
        var pipeline = _kit.Runtime.CreatePipeline(site);
        var counter = new Counter();
        var run = Calls.RunAsync(pipeline, new InvalidOperationException("always"), counter);
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await _kit.Clock.WaitForTimerAsync());
            _kit.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.IsType<InvalidOperationException>(await run);
        Assert.Equal(3, counter.Count);
        Assert.Equal(2, retries.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(retries.GetMeasurementSnapshot(), m => Assert.Equal(Id, m.Tags[TelemetryNames.RetryTag]));

        lock (polly)
        {
            Assert.Contains(polly, p => p.Instrument == "resilience.polly.strategy.events" && p.Pipeline == Id);
            Assert.Contains(polly, p => p.Instrument == "resilience.polly.pipeline.duration" && p.Pipeline == Id);
        }

        // Polly logs through the runtime's logger factory too.
        Assert.Contains(_kit.Logs.Collector.GetSnapshot(), r => r.Category?.StartsWith("Polly", StringComparison.Ordinal) == true);

        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? name = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "pipeline.name")
                {
                    name = tag.Value as string;
                }
            }

            lock (polly)
            {
                polly.Add((instrument.Name, name));
            }
        }
    }
}
