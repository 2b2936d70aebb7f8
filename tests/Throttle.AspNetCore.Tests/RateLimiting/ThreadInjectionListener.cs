using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;

namespace Throttle.AspNetCore.Tests.RateLimiting;

/// <summary>
/// Why the thread pool added or removed threads, from the runtime's own events (in process, no dotnet-counters): each
/// <c>ThreadPoolWorkerThreadAdjustmentAdjustment</c> event carries a reason. <c>CooperativeBlocking</c> means a pool
/// thread blocked on a task (sync over async) and the pool made up for it; <c>Starvation</c> means queued work made no
/// progress for a while (any blocking wait, or a machine too busy to run the pool); the climbing moves are the pool's
/// own throughput tuning.
/// </summary>
internal sealed class ThreadInjectionListener : EventListener
{
    private const int AdjustmentEventId = 55;
    private const EventKeywords ThreadingKeyword = (EventKeywords)0x10000;

    private static readonly string[] s_reasons =
        ["Warmup", "Initializing", "RandomMove", "ClimbingMove", "ChangePointMove", "Stabilizing", "Starvation", "ThreadTimedOut", "CooperativeBlocking"];

    private readonly ConcurrentDictionary<string, int> _byReason = new(StringComparer.Ordinal);
    private volatile bool _recording;

    /// <summary>Adjustments by reason since <see cref="Start"/>.</summary>
    public IReadOnlyDictionary<string, int> ByReason => _byReason;

    public int Count(string reason) => _byReason.GetValueOrDefault(reason);

    /// <summary>Threads added because work did not progress: <c>Starvation</c> and <c>CooperativeBlocking</c>.</summary>
    public int Blocking => Count("Starvation") + Count("CooperativeBlocking");

    public void Start()
    {
        _byReason.Clear();
        _recording = true;
    }

    public void Stop() => _recording = false;

    public override string ToString() =>
        _byReason.IsEmpty ? "none" : string.Join(", ", _byReason.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} × {p.Value}"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, ThreadingKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != AdjustmentEventId || eventData.Payload is not { } payload)
        {
            return;
        }

        var index = eventData.PayloadNames?.IndexOf("Reason") ?? -1;
        var reason = index >= 0 && Convert.ToInt32(payload[index], System.Globalization.CultureInfo.InvariantCulture) is var code && code >= 0 && code < s_reasons.Length
            ? s_reasons[code]
            : "Unknown";
        _byReason.AddOrUpdate(reason, 1, static (_, count) => count + 1);
    }
}
