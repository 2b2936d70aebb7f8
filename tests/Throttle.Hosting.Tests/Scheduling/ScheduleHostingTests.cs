using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Throttle.Coordination;
using Throttle.Policies;
using Throttle.Scheduling;
using Xunit;

namespace Throttle.Hosting.Tests.Scheduling;

public sealed class ScheduleHostingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_job_added_with_AddSchedule_runs_on_the_hosts_clock_and_stop_waits_for_it()
    {
        var clock = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        using var host = TestHosts.Build(
            configure: throttle => throttle.AddSchedule((scheduler, _) => scheduler.Every(TimeSpan.FromSeconds(5), "tick", async _ =>
            {
                started.TrySetResult();
                await release.Task;
                finished = true;
            })),
            services: s => s.AddSingleton<TimeProvider>(clock));
        await host.StartAsync();
        Assert.Same(host.Services.GetRequiredService<ThrottleRuntime>(), host.Services.GetRequiredService<ThrottleRuntime>());

        Assert.False(started.Task.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));
        await started.Task.WaitAsync(Patience);

        var stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping.WaitAsync(Patience);
        Assert.True(finished);
    }

    [Fact]
    public async Task AddScheduledJobs_resolves_the_type_in_a_new_scope_for_each_run()
    {
        var clock = new FakeTimeProvider();
        var log = new RunLog();
        using var host = TestHosts.Build(
            configure: throttle => throttle.AddScheduledJobs<ReportJob>(),
            services: s => s.AddSingleton(log).AddSingleton<TimeProvider>(clock));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<Scheduler>();
        Assert.Contains(scheduler.Jobs, job => job.Name == "hosting-report");
        var completed = new SemaphoreSlim(0);
        scheduler.JobCompleted += (_, _) => completed.Release();

        // One interval, one run; the next step only once that run ended and its next occurrence is set.
        for (var run = 0; run < 2; run++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            Assert.True(await completed.WaitAsync(Patience), $"Run {run + 1} did not end.");
        }

        Assert.True(log.SecondRun.Task.IsCompleted);
        Assert.Equal(2, log.Runs);
        Assert.Equal(log.Runs, log.Instances);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddLeaderElection_starts_the_coordinator_with_the_host_and_stops_it_after()
    {
        using var host = TestHosts.Build(configure: throttle => throttle
            .AddLeaderElection(o => o.LockName = "hosting-lead")
            .AddSchedule());
        var coordinator = host.Services.GetRequiredKeyedService<Coordinator>("hosting-lead");
        var acquired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        coordinator.Acquired += (_, _) => acquired.TrySetResult();
        Assert.False(coordinator.IsLeader); // created, not started

        await host.StartAsync();
        await acquired.Task.WaitAsync(Patience);
        Assert.True(coordinator.IsLeader);

        await host.StopAsync();
        Assert.False(coordinator.IsLeader);
    }

    [Fact]
    public void AddLeaderElection_refuses_settings_out_of_range_at_registration()
    {
        var services = new ServiceCollection();
        var error = Assert.ThrowsAny<ArgumentException>(() => services.AddThrottle().AddLeaderElection(o => o.LockName = " "));
        Assert.Equal(nameof(CoordinatorOptions.LockName), error.ParamName);
    }
}
