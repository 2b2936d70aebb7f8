using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Throttle.Telemetry;

/// <summary>
/// The rate-limit hook of one limiter (tagged with its name or scope, never the key): counts each acquire by result and
/// times the ones that had to wait. A permit granted at once costs one <see cref="System.Diagnostics.Metrics.Instrument.Enabled"/>
/// check with no listener, and a stack-built <see cref="TagList"/> with one.
/// </summary>
internal sealed class RateLimitTelemetry(ThrottleTelemetry telemetry, string name)
{
    /// <summary>
    /// The runtime's <c>throttle.rate_limit.requests</c> counter, held here (and by the sites that bind this hook) so
    /// that the no-listener check is the counter's own <see cref="System.Diagnostics.Metrics.Instrument.Enabled"/>,
    /// without the loads through the runtime's telemetry. System.Diagnostics.Metrics tells an instrument nothing when a
    /// listener enables it, so there is no flag of ours to cache: <c>Enabled</c> is the flag.
    /// </summary>
    public readonly Counter<long> Requests = telemetry.RateLimitRequests;

    public string Name { get; } = name;

    // The tags of a permit granted at once, built once: the listened hot path passes them as a span, building nothing.
    private readonly KeyValuePair<string, object?>[] _acquiredTags =
        [new(TelemetryNames.LimiterTag, name), new(TelemetryNames.RateLimitResultTag, TelemetryNames.Acquired)];

    /// <summary>Counts one permit granted at once; the caller has checked <see cref="Requests"/>' <c>Enabled</c>.</summary>
    /// <remarks>Out of line: the call sites' frames stay as small as with nothing listening.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void CountAcquired() => Requests.Add(1, _acquiredTags);

    /// <summary>Watches an acquire that has started: <paramref name="pending"/> is returned as is when nothing listens.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValueTask Observe(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            if (Requests.Enabled)
            {
                CountAcquired();
            }

            return pending;
        }

        return ObserveStarted(pending);
    }

    private ValueTask ObserveStarted(ValueTask pending)
    {
        // A wait (or a rejection in the making): only watched when something listens or logs.
        return Requests.Enabled || telemetry.RateLimitWaitDuration.Enabled || telemetry.RateLimitLogger.IsEnabled(LogLevel.Debug)
            ? ObserveWaitAsync(pending, telemetry.TimeProvider.GetTimestamp())
            : pending;
    }

    private async ValueTask ObserveWaitAsync(ValueTask pending, long started)
    {
        string result;
        try
        {
            await pending.ConfigureAwait(false);
            result = TelemetryNames.Acquired;
        }
        catch (RateLimitRejectedException rejected)
        {
            Record(TelemetryNames.Rejected, started);
            telemetry.RateLimitLogger.RateLimitRejected(Name, rejected.RetryAfter.TotalSeconds);
            throw;
        }
        catch (OperationCanceledException)
        {
            Record(TelemetryNames.Canceled, started);
            throw;
        }

        Record(result, started);
    }

    private void Record(string result, long started)
    {
        if (telemetry.RateLimitWaitDuration.Enabled)
        {
            var tags = new TagList { { TelemetryNames.LimiterTag, Name }, { TelemetryNames.RateLimitResultTag, result } };
            telemetry.RateLimitWaitDuration.Record(telemetry.TimeProvider.GetElapsedTime(started).TotalSeconds, tags);
        }

        if (Requests.Enabled)
        {
            Count(result);
        }
    }

    private void Count(string result) =>
        Requests.Add(1, new TagList { { TelemetryNames.LimiterTag, Name }, { TelemetryNames.RateLimitResultTag, result } });
}
