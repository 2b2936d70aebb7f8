using System;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Throttle.Limiters;
using Throttle.Telemetry;
using Throttle.Tests.Infrastructure;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>The rate-limit instruments and logs, through a [RateLimit] site on a fake clock.</summary>
public sealed class RateLimitTelemetryTests : IDisposable
{
    private const string Scope = "Ns.Type.Get()";
    private const string Key = "user-42";
    private readonly TelemetryTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public async Task Requests_are_counted_by_result_and_tagged_by_limiter_never_by_key()
    {
        using var requests = _kit.Collect<long>(TelemetryNames.RateLimitRequests);
        var site = Sites.RateLimit(Scope, 2, 1, 0, RateLimitStrategy.TokenBucket, null, null, maxWaitSeconds: 0);
        using (ThrottleRuntime.Use(_kit.Runtime))
        {
            await site.AcquireAsync(Key, CancellationToken.None);
            await site.AcquireAsync(Key, CancellationToken.None);
            await Assert.ThrowsAsync<RateLimitRejectedException>(() => site.AcquireAsync(Key, CancellationToken.None).AsTask());
        }

        var measurements = requests.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Where(m => (string?)m.Tags[TelemetryNames.RateLimitResultTag] == "acquired").Sum(m => m.Value));
        Assert.Equal(1, measurements.Where(m => (string?)m.Tags[TelemetryNames.RateLimitResultTag] == "rejected").Sum(m => m.Value));
        Assert.All(measurements, m =>
        {
            Assert.Equal(Scope, m.Tags[TelemetryNames.LimiterTag]);
            Assert.DoesNotContain(Key, m.Tags.Values.Select(v => v?.ToString()));
            Assert.Equal(2, m.Tags.Count);
        });

        var rejected = Assert.Single(_kit.LogsWithId(1001));
        Assert.Equal(LogLevel.Debug, rejected.Level);
        Assert.Contains(Scope, rejected.Message);
        Assert.DoesNotContain(Key, rejected.Message);
    }

    [Fact]
    public async Task A_wait_is_timed_on_the_runtimes_clock()
    {
        using var waits = _kit.Collect<double>(TelemetryNames.RateLimitWaitDuration);
        var site = Sites.RateLimit(Scope, 1, 1, 0, RateLimitStrategy.TokenBucket, null, null, double.PositiveInfinity);
        using (ThrottleRuntime.Use(_kit.Runtime))
        {
            await site.AcquireAsync(Key, CancellationToken.None);
            var waiting = site.AcquireAsync(Key, CancellationToken.None).AsTask();
            Assert.True(await _kit.Clock.WaitForTimerAsync());
            _kit.Clock.Advance(TimeSpan.FromSeconds(1));
            await waiting;
        }

        var wait = Assert.Single(waits.GetMeasurementSnapshot());
        Assert.Equal(1.0, wait.Value, 9);
        Assert.Equal("acquired", wait.Tags[TelemetryNames.RateLimitResultTag]);
        Assert.Equal("s", waits.Instrument!.Unit);
    }

    [Fact]
    public async Task A_canceled_wait_is_counted_as_canceled()
    {
        using var requests = _kit.Collect<long>(TelemetryNames.RateLimitRequests);
        var site = Sites.RateLimit(Scope, 1, 1, 0, RateLimitStrategy.TokenBucket, null, null, double.PositiveInfinity);
        using var cancel = new CancellationTokenSource();
        using (ThrottleRuntime.Use(_kit.Runtime))
        {
            await site.AcquireAsync(Key, CancellationToken.None);
            var waiting = site.AcquireAsync(Key, cancel.Token).AsTask();
            Assert.True(await _kit.Clock.WaitForTimerAsync());
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        Assert.Equal(1, requests.GetMeasurementSnapshot().Count(m => (string?)m.Tags[TelemetryNames.RateLimitResultTag] == "canceled"));
    }

    [Fact]
    public async Task A_named_limiters_tokens_are_observed_for_its_shared_bucket()
    {
        _kit.Runtime.RegisterLimiter("github", new TokenBucketLimiter(5, storage: _kit.Runtime.Storage, scope: "github"));
        using var tokens = _kit.Collect<double>(TelemetryNames.RateLimitTokens);
        var site = Sites.RateLimit("Ns.Type.Call()", double.NaN, 1, 0, RateLimitStrategy.TokenBucket, null, "github", 0);
        using (ThrottleRuntime.Use(_kit.Runtime))
        {
            await site.AcquireAsync("github", CancellationToken.None);
            await site.AcquireAsync("github", CancellationToken.None);
        }

        tokens.RecordObservableInstruments();
        var last = tokens.LastMeasurement!;
        Assert.Equal(3, last.Value, 9);
        Assert.Equal("github", last.Tags[TelemetryNames.LimiterTag]);
    }

    [Fact]
    public void A_listener_started_and_stopped_after_the_site_bound_is_honoured_at_once_on_the_blocking_path()
    {
        // The site binds the limiter's hook and counter on its first call; whether anything listens is read per call.
        var site = Sites.RateLimit(Scope, 1e9, 1, 0, RateLimitStrategy.TokenBucket, null, null, 0);
        long seen = 0;
        using (ThrottleRuntime.Use(_kit.Runtime))
        {
            site.Acquire(Key, CancellationToken.None);
            using (var listener = new MeterListener())
            {
                listener.InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Name == TelemetryNames.RateLimitRequests && ReferenceEquals(instrument.Meter, _kit.Meter))
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                };
                listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref seen, value));
                listener.Start();
                site.Acquire(Key, CancellationToken.None);
                site.Acquire(Key, CancellationToken.None);
            }

            site.Acquire(Key, CancellationToken.None);
        }

        Assert.Equal(2, Interlocked.Read(ref seen));
        Assert.False(_kit.Runtime.Telemetry.RateLimitRequests.Enabled);
    }

    [Fact]
    public async Task A_free_permit_allocates_nothing_with_or_without_a_listener()
    {
        var site = Sites.RateLimit(Scope, 1e9, 1, 0, RateLimitStrategy.TokenBucket, null, null, 0);
        using (ThrottleRuntime.Use(_kit.Runtime))
        {
            await site.AcquireAsync(Key, CancellationToken.None);
            Assert.Equal(0, AllocatedBy(site));

            long seen = 0;
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, _kit.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref seen, value));
            listener.Start();
            Assert.True(_kit.Runtime.Telemetry.RateLimitRequests.Enabled);

            Assert.Equal(0, AllocatedBy(site));
            Assert.Equal(1000, Interlocked.Read(ref seen));
        }

        static long AllocatedBy(Throttle.Infrastructure.RateLimitSite site)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                var pending = site.AcquireAsync(Key, CancellationToken.None);
                Assert.True(pending.IsCompletedSuccessfully);
                pending.GetAwaiter().GetResult();
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
