using System.Diagnostics;
using System.Threading.Tasks;
using Throttle.Queues;

namespace Throttle.Telemetry;

/// <summary>The hook of one <see cref="InvocationQueue"/>: time in queue, run time and outcome of each call a worker runs.</summary>
internal sealed class QueueTelemetry(ThrottleTelemetry telemetry, string name)
{
    public string Name { get; } = name;

    /// <summary>Whether anything listens: only then are calls timestamped.</summary>
    public bool Enabled => telemetry.QueueCalls.Enabled || telemetry.QueueRunDuration.Enabled || telemetry.QueueWaitDuration.Enabled;

    /// <summary>The timestamp of an enqueue (null when nothing listens; a fake clock's timestamps may start at 0).</summary>
    public long? Enqueued() => Enabled ? telemetry.TimeProvider.GetTimestamp() : null;

    /// <summary>Runs <paramref name="invocation"/>, recording it when something listens.</summary>
    public ValueTask RunAsync(QueuedInvocation invocation) => Enabled ? RunObservedAsync(invocation) : invocation.RunAsync();

    private async ValueTask RunObservedAsync(QueuedInvocation invocation)
    {
        var clock = telemetry.TimeProvider;
        var started = clock.GetTimestamp();
        await invocation.RunAsync().ConfigureAwait(false);
        if (!invocation.Ran)
        {
            return;
        }

        var queueTag = new TagList { { TelemetryNames.QueueTag, Name } };
        if (invocation.EnqueuedAt is { } enqueuedAt && telemetry.QueueWaitDuration.Enabled)
        {
            telemetry.QueueWaitDuration.Record(clock.GetElapsedTime(enqueuedAt, started).TotalSeconds, queueTag);
        }

        var tags = new TagList { { TelemetryNames.QueueTag, Name }, { TelemetryNames.QueueResultTag, invocation.Failed ? TelemetryNames.Failed : TelemetryNames.Processed } };
        telemetry.QueueRunDuration.Record(clock.GetElapsedTime(started).TotalSeconds, tags);
        telemetry.QueueCalls.Add(1, tags);
    }
}
