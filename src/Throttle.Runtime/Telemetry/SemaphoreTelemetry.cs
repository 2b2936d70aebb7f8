using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;

namespace Throttle.Telemetry;

/// <summary>
/// The hook of one semaphore (tagged with its key, never its partition): acquire duration by result, timeouts, lost
/// leases and the callers waiting now.
/// </summary>
internal sealed class SemaphoreTelemetry(ThrottleTelemetry telemetry, string name)
{
    private int _waiters;

    public string Name { get; } = name;

    /// <summary>Callers waiting for a slot now (counted only while something listens).</summary>
    public int Waiters => Volatile.Read(ref _waiters);

    /// <summary>Watches an acquire that has started.</summary>
    public ValueTask<SemaphoreLease> Observe(ValueTask<SemaphoreLease> pending, TimeSpan timeout)
    {
        if (pending.IsCompletedSuccessfully)
        {
            if (telemetry.SemaphoreAcquireDuration.Enabled)
            {
                telemetry.SemaphoreAcquireDuration.Record(0, Tags(TelemetryNames.Acquired));
            }

            return pending;
        }

        return telemetry.SemaphoreAcquireDuration.Enabled || telemetry.SemaphoreTimeouts.Enabled
            ? ObserveWaitAsync(pending, timeout, telemetry.TimeProvider.GetTimestamp())
            : pending;
    }

    /// <summary>A lease of this semaphore expired before it was renewed or released.</summary>
    public void LeaseLost()
    {
        telemetry.SemaphoreLogger.SemaphoreLeaseLost(Name);
        if (telemetry.SemaphoreLeasesLost.Enabled)
        {
            telemetry.SemaphoreLeasesLost.Add(1, new TagList { { TelemetryNames.SemaphoreTag, Name } });
        }
    }

    private async ValueTask<SemaphoreLease> ObserveWaitAsync(ValueTask<SemaphoreLease> pending, TimeSpan timeout, long started)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            var lease = await pending.ConfigureAwait(false);
            Record(TelemetryNames.Acquired, started);
            return lease;
        }
        catch (SemaphoreTimeoutException)
        {
            Record(TelemetryNames.Timeout, started);
            telemetry.SemaphoreLogger.SemaphoreTimedOut(Name, timeout.TotalSeconds);
            if (telemetry.SemaphoreTimeouts.Enabled)
            {
                telemetry.SemaphoreTimeouts.Add(1, new TagList { { TelemetryNames.SemaphoreTag, Name } });
            }

            throw;
        }
        catch (OperationCanceledException)
        {
            Record(TelemetryNames.Canceled, started);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    private void Record(string result, long started)
    {
        if (telemetry.SemaphoreAcquireDuration.Enabled)
        {
            telemetry.SemaphoreAcquireDuration.Record(telemetry.TimeProvider.GetElapsedTime(started).TotalSeconds, Tags(result));
        }
    }

    private TagList Tags(string result) => new() { { TelemetryNames.SemaphoreTag, Name }, { TelemetryNames.SemaphoreResultTag, result } };
}
