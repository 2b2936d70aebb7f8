using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Throttle.Scheduling;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Scheduling;

public sealed class SchedulerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_interval_job_runs_at_each_occurrence_and_not_before()
    {
        var clock = new TestClock();
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        var runs = new ConcurrentQueue<DateTimeOffset>();
        var job = scheduler.Every(Second, "tick", _ =>
        {
            runs.Enqueue(clock.GetUtcNow());
            return default;
        });
        var start = clock.GetUtcNow();
        await scheduler.StartAsync();
        Assert.Equal(start + Second, job.NextRun);

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, job.Runs);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, job.Runs);
        Assert.True(await Eventually.TrueAsync(() => !job.IsRunning && runs.Count == 1));
        Assert.Equal(start + (2 * Second), job.NextRun);

        clock.Advance(Second);
        Assert.True(await Eventually.TrueAsync(() => !job.IsRunning && runs.Count == 2));
        Assert.Equal([start + Second, start + (2 * Second)], runs.ToArray());
        Assert.Equal(0, job.SkippedRuns);
    }

    [Fact]
    public async Task The_spec_form_adds_seconds_minutes_and_hours()
    {
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new TestClock() }));
        var job = scheduler.Every("report", _ => default, seconds: 30, minutes: 1, hours: 2);
        Assert.Equal(TimeSpan.FromSeconds(30 + 60 + 7200), job.Interval);
    }

    [Fact]
    public async Task One_timer_serves_every_job_and_nothing_polls_while_none_is_due()
    {
        var clock = new TestClock();
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        var hourly = scheduler.Every(TimeSpan.FromHours(1), "hourly", _ => default);
        var daily = scheduler.Every(TimeSpan.FromDays(1), "daily", _ => default);
        var before = clock.TimersCreated;
        await scheduler.StartAsync();
        Assert.Equal(before + 1, clock.TimersCreated);

        // 59 minutes in one-second steps: no job is due, and the one timer is neither replaced nor joined by others.
        for (var i = 0; i < 59 * 60; i++)
        {
            clock.Advance(Second);
        }

        Assert.Equal(0, hourly.Runs);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, hourly.Runs);
        Assert.Equal(0, daily.Runs);
        Assert.True(await Eventually.TrueAsync(() => !hourly.IsRunning));
        Assert.Equal(before + 1, clock.TimersCreated);
    }

    [Fact]
    public async Task A_run_longer_than_its_interval_never_overlaps_and_the_occurrences_it_covered_are_skipped()
    {
        var clock = new TestClock();
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var concurrent = 0;
        var peak = 0;
        var job = scheduler.Every(Second, "slow", async _ =>
        {
            var now = Interlocked.Increment(ref concurrent);
            peak = Math.Max(peak, now);
            await gate.Task;

            Interlocked.Decrement(ref concurrent);
        });
        var start = clock.GetUtcNow();
        await scheduler.StartAsync();

        clock.Advance(Second); // t=1: first run starts and blocks
        Assert.Equal(1, job.Runs);
        clock.Advance(Second); // t=2, 3, 4: occurrences while it runs
        clock.Advance(Second);
        clock.Advance(Second);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, job.Runs);
        Assert.Null(job.NextRun);

        gate.SetResult(); // ends at t=4.5
        Assert.True(await Eventually.TrueAsync(() => !job.IsRunning));
        Assert.Equal(3, job.SkippedRuns);
        Assert.Equal(start + (5 * Second), job.NextRun); // the next occurrence, not a burst of the missed ones

        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(1, job.Runs);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, job.Runs);
        Assert.True(await Eventually.TrueAsync(() => !job.IsRunning));
        Assert.Equal(1, peak);
    }

    [Fact]
    public async Task A_failing_run_is_logged_counted_and_raised_and_the_schedule_goes_on()
    {
        var clock = new TestClock();
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock, LoggerFactory = factory }));
        var failed = new ConcurrentQueue<ScheduledJobFailedEventArgs>();
        scheduler.JobFailed += (_, e) => failed.Enqueue(e);
        var attempts = 0;
        var job = scheduler.Every(Second, "flaky", _ =>
            Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("boom") : default);
        await scheduler.StartAsync();

        clock.Advance(Second);
        Assert.True(await Eventually.TrueAsync(() => !job.IsRunning && job.Failures == 1));
        var failure = Assert.Single(failed);
        Assert.Same(job, failure.Job);
        Assert.Equal("boom", failure.Exception.Message);
        var record = Assert.Single(logs.Collector.GetSnapshot(), r => r.Id.Id == 5001);
        Assert.Equal(LogLevel.Error, record.Level);
        Assert.Contains("flaky", record.Message, StringComparison.Ordinal);

        clock.Advance(Second);
        Assert.True(await Eventually.TrueAsync(() => !job.IsRunning && job.Runs == 2));
        Assert.Equal(1, job.Failures);
    }

    [Fact]
    public async Task Stop_cancels_running_jobs_and_waits_for_them()
    {
        var clock = new TestClock();
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = false;
        var job = scheduler.Every(Second, "cooperative", async cancellationToken =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                await Task.Yield();
                ended = true;
            }
        });
        await scheduler.StartAsync();
        clock.Advance(Second);
        await started.Task.WaitAsync(Eventually.Safety);

        await scheduler.StopAsync();
        Assert.True(ended);
        Assert.False(job.IsRunning);
        Assert.Equal(0, job.Failures); // cancelled by the stop: not a failure
        Assert.False(scheduler.IsStarted);

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, job.Runs);
    }

    [Fact]
    public async Task Stop_is_bounded_by_its_token_when_a_job_ignores_cancellation()
    {
        var clock = new TestClock();
        var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Every(Second, "stubborn", async _ =>
        {
            started.SetResult();
            await release.Task;
        });
        await scheduler.StartAsync();
        clock.Advance(Second);
        await started.Task.WaitAsync(Eventually.Safety);

        using var bound = new CancellationTokenSource();
        var stopping = scheduler.StopAsync(bound.Token);
        Assert.False(stopping.IsCompleted);
        await bound.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopping);

        release.SetResult();
        await scheduler.DisposeAsync();
    }

    [Fact]
    public async Task A_cron_job_runs_at_the_expression_s_occurrences()
    {
        var clock = new TestClock(); // 2024-01-01T00:00:00Z
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        var job = scheduler.Cron("*/5 * * * * *", "every-five-seconds", _ => default);
        await scheduler.StartAsync();
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 5, TimeSpan.Zero), job.NextRun);

        clock.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.Equal(0, job.Runs);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, job.Runs);
        Assert.True(await Eventually.TrueAsync(() => !job.IsRunning));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 10, TimeSpan.Zero), job.NextRun);
    }

    [Fact]
    public async Task A_job_added_to_a_started_scheduler_runs_one_interval_later()
    {
        var clock = new TestClock();
        await using var scheduler = new Scheduler(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        await scheduler.StartAsync();
        clock.Advance(TimeSpan.FromMilliseconds(300));
        var job = scheduler.Every(Second, "late", _ => default);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, job.Runs);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, job.Runs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_zero_or_negative_interval_is_refused(int milliseconds)
    {
        await using var scheduler = new Scheduler(new ThrottleRuntime());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Every(TimeSpan.FromMilliseconds(milliseconds), "job", _ => default));
        Assert.Equal("interval", error.ParamName);
    }

    [Theory]
    [InlineData(double.NaN, null, "seconds")]
    [InlineData(0.0, null, "seconds")]
    [InlineData(-5.0, null, "seconds")]
    [InlineData(null, double.PositiveInfinity, "minutes")]
    [InlineData(null, 0.0, "minutes")]
    [InlineData(null, null, "seconds")]
    public async Task The_spec_form_refuses_parts_that_are_not_positive_and_finite(double? seconds, double? minutes, string parameter)
    {
        await using var scheduler = new Scheduler(new ThrottleRuntime());
        var error = Assert.ThrowsAny<ArgumentException>(() => scheduler.Every("job", _ => default, seconds, minutes));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public async Task Names_must_be_given_and_unique_and_cron_expressions_valid()
    {
        await using var scheduler = new Scheduler(new ThrottleRuntime());
        scheduler.Every(Second, "job", _ => default);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => scheduler.Every(Second, "job", _ => default)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => scheduler.Every("job", _ => default, seconds: 1)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => scheduler.Every(Second, "", _ => default)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => scheduler.Every(Second, " ", _ => default)).ParamName);
        Assert.Equal("job", Assert.Throws<ArgumentNullException>(() => scheduler.Every(Second, "other", null!)).ParamName);
        Assert.Equal("expression", Assert.Throws<ArgumentException>(() => scheduler.Cron("not cron", "cron", _ => default)).ParamName);
        Assert.Equal("Leadership", Assert.ThrowsAny<ArgumentException>(() => scheduler.Add(new() { Name = "x", Seconds = 1, Leadership = "l" }, _ => default)).ParamName);
        Assert.Equal("Cron", Assert.ThrowsAny<ArgumentException>(() => scheduler.Add(new() { Name = "y", Seconds = 1, Cron = "* * * * *" }, _ => default)).ParamName);
        Assert.Single(scheduler.Jobs);
    }
}
