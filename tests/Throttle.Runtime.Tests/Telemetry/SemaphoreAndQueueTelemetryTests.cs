using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Throttle.Semaphores;
using Throttle.Telemetry;
using Throttle.Workers;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>Semaphore and queue instruments on a fake clock, and tracked work queues and worker pools.</summary>
public sealed class SemaphoreAndQueueTelemetryTests : IDisposable
{
    private readonly TelemetryTestKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Fact]
    public async Task A_semaphore_reports_leases_waiters_acquire_durations_and_timeouts_by_key_not_partition()
    {
        using var durations = _kit.Collect<double>(TelemetryNames.SemaphoreAcquireDuration);
        using var timeouts = _kit.Collect<long>(TelemetryNames.SemaphoreTimeouts);
        using var leases = _kit.Collect<int>(TelemetryNames.SemaphoreLeases);
        using var waiters = _kit.Collect<int>(TelemetryNames.SemaphoreWaiters);
        var a = _kit.Runtime.GetSemaphore("reports", "tenant-a", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), "test");
        var b = _kit.Runtime.GetSemaphore("reports", "tenant-b", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), "test");

        var first = await a.AcquireAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
        var other = await b.AcquireAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
        var waiting = a.AcquireAsync(TimeSpan.FromSeconds(2), CancellationToken.None).AsTask();
        Assert.True(await _kit.Clock.WaitForTimerAsync());

        leases.RecordObservableInstruments();
        waiters.RecordObservableInstruments();
        Assert.Equal(2, leases.LastMeasurement!.Value);
        Assert.Equal("reports", leases.LastMeasurement.Tags[TelemetryNames.SemaphoreTag]);
        Assert.Equal(1, waiters.LastMeasurement!.Value);

        _kit.Clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => waiting);
        await first.DisposeAsync();
        await other.DisposeAsync();

        leases.RecordObservableInstruments();
        waiters.RecordObservableInstruments();
        Assert.Equal(0, leases.LastMeasurement!.Value);
        Assert.Equal(0, waiters.LastMeasurement!.Value);
        Assert.Equal(1, Assert.Single(timeouts.GetMeasurementSnapshot()).Value);
        var byResult = durations.GetMeasurementSnapshot().ToLookup(m => (string)m.Tags[TelemetryNames.SemaphoreResultTag]!);
        Assert.Equal(2, byResult["acquired"].Count());
        Assert.Equal(2.0, Assert.Single(byResult["timeout"]).Value, 9);
        Assert.All(durations.GetMeasurementSnapshot(), m => Assert.DoesNotContain("tenant", string.Join(",", m.Tags.Values)));
        Assert.Single(_kit.LogsWithId(4002));
    }

    [Fact]
    public async Task A_queue_reports_length_time_in_queue_run_time_and_outcomes()
    {
        using var calls = _kit.Collect<long>(TelemetryNames.QueueCalls);
        using var waits = _kit.Collect<double>(TelemetryNames.QueueWaitDuration);
        using var runs = _kit.Collect<double>(TelemetryNames.QueueRunDuration);
        using var length = _kit.Collect<int>(TelemetryNames.QueueLength);
        var queue = new InvocationQueue(workers: 1, maxSize: 10, _kit.Clock);
        _kit.Runtime.RegisterQueue("mail", queue);

        var gate = new TaskCompletionSource();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = queue.EnqueueAsync((gate, running), static (s, _) =>
        {
            s.running.SetResult();
            return new ValueTask(s.gate.Task);
        }, 0, CancellationToken.None);
        var failing = queue.EnqueueAsync(0, static (_, _) => ValueTask.FromException(new InvalidOperationException("no")), 0, CancellationToken.None);
        length.RecordObservableInstruments();
        Assert.Equal("mail", length.LastMeasurement!.Tags[TelemetryNames.QueueTag]);
        Assert.InRange(length.LastMeasurement.Value, 1, 2); // the worker may not have taken the first call yet

        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _kit.Clock.Advance(TimeSpan.FromSeconds(3));
        gate.SetResult();
        await blocker;
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await queue.StopAsync();

        var results = calls.GetMeasurementSnapshot().Select(m => (string)m.Tags[TelemetryNames.QueueResultTag]!).OrderBy(r => r).ToArray();
        Assert.Equal(["failed", "processed"], results);
        Assert.Equal(3.0, runs.GetMeasurementSnapshot().Single(m => (string)m.Tags[TelemetryNames.QueueResultTag]! == "processed").Value, 9);
        Assert.True(Math.Abs(waits.GetMeasurementSnapshot().Max(m => m.Value) - 3.0) < 1e-9, string.Join(";", waits.GetMeasurementSnapshot().Select(m => m.Value)) + " runs " + string.Join(";", runs.GetMeasurementSnapshot().Select(m => m.Value)));
        length.RecordObservableInstruments();
        Assert.Equal(0, length.LastMeasurement!.Value);
    }

    [Fact]
    public async Task Tracked_work_queues_and_worker_pools_report_until_untracked()
    {
        var metrics = _kit.Runtime.Metrics;
        var queue = new DedupeWorkQueue<string>(static (_, _) => default, timeProvider: _kit.Clock);
        await using var pool = new WorkerPool(minWorkers: 2, maxWorkers: 4, timeProvider: _kit.Clock);
        using (metrics.Track(queue, "dedupe"))
        using (metrics.Track(pool, "images"))
        {
            Assert.Throws<InvalidOperationException>(() => metrics.Track(pool, "again"));
            await queue.PutAsync("a");
            await queue.PutAsync("a");
            var stats = metrics.GetStats();
            Assert.Equal(1, stats.Counters["throttle.work_queue.duplicates{throttle.queue.name=dedupe}"]);
            Assert.Equal(1, stats.Gauges["throttle.work_queue.length{throttle.queue.name=dedupe}"]);
            Assert.Equal(2, stats.Gauges["throttle.worker_pool.workers{throttle.worker_pool.name=images}"]);
            Assert.Equal(0, stats.Counters["throttle.worker_pool.scalings{throttle.worker_pool.direction=up,throttle.worker_pool.name=images}"]);
        }

        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => metrics.Track(queue, "")).ParamName);
        await queue.StopAsync();
    }
}
