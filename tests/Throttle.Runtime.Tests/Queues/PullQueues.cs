using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Testing;

namespace Throttle.Tests.Queues;

/// <summary>A pull queue of each kind behind one shape, so the pull contract is checked on all of them.</summary>
internal sealed record PullQueue(WorkQueue<int> Queue, Func<int, CancellationToken, ValueTask> PutAsync, Func<int, bool> TryPut)
{
    public static readonly string[] Kinds = ["fifo", "priority", "delay", "dedupe", "batching"];

    /// <summary>A pull queue of <paramref name="kind"/>; items put without a priority or delay, so every kind takes them in put order.</summary>
    public static PullQueue Create(string kind, int maxSize = WorkQueue<int>.DefaultMaxSize, TestClock? clock = null)
    {
        clock ??= new TestClock();
        switch (kind)
        {
            case "fifo":
                var fifo = new FifoWorkQueue<int>(maxSize, clock);
                return new PullQueue(fifo, (i, ct) => fifo.PutAsync(i, ct), fifo.TryPut);
            case "priority":
                var priority = new PriorityWorkQueue<int>(maxSize, timeProvider: clock);
                return new PullQueue(priority, (i, ct) => priority.PutAsync(i, cancellationToken: ct), i => priority.TryPut(i));
            case "delay":
                var delay = new DelayWorkQueue<int>(maxSize, clock);
                return new PullQueue(delay, (i, ct) => delay.PutAsync(i, cancellationToken: ct), i => delay.TryPut(i));
            case "dedupe":
                var dedupe = new DedupeWorkQueue<int>(maxSize, timeProvider: clock);
                return new PullQueue(dedupe, async (i, ct) => await dedupe.PutAsync(i, ct), i => dedupe.TryPut(i) == DedupeResult.Accepted);
            case "batching":
                var batching = new BatchingWorkQueue<int>(batchSize: 3, maxSize: maxSize, timeProvider: clock);
                return new PullQueue(batching, (i, ct) => batching.PutAsync(i, ct), batching.TryPut);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown queue kind.");
        }
    }
}

/// <summary>Theory data: one row per pull queue kind (<see cref="PullQueue.Kinds"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class AllPullKindsAttribute : Xunit.Sdk.DataAttribute
{
    public override System.Collections.Generic.IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) =>
        System.Linq.Enumerable.Select(PullQueue.Kinds, kind => new object[] { kind });
}
