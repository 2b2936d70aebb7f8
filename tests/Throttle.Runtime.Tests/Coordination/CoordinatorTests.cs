using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Throttle.Coordination;
using Throttle.Policies;
using Throttle.Storage;
using Throttle.Testing;
using Throttle.Tests.Scheduling;
using Xunit;

namespace Throttle.Tests.Coordination;

public sealed class CoordinatorTests
{
    private readonly TestClock _clock = new();
    private readonly ThrottleRuntime _runtime;

    public CoordinatorTests() => _runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = _clock });

    [Fact]
    public async Task Of_two_coordinators_in_one_process_one_leads()
    {
        await using var first = new Coordinator(_runtime);
        await using var second = new Coordinator(_runtime);
        Assert.True(await first.TryAcquireAsync());
        Assert.False(await second.TryAcquireAsync());

        Assert.True(first.IsLeader);
        Assert.False(second.IsLeader);
        Assert.True(first.FencingToken > 0);
        Assert.Equal(0, second.FencingToken);
        Assert.False(first.LeadershipLost.IsCancellationRequested);
        Assert.True(second.LeadershipLost.IsCancellationRequested);
    }

    [Fact]
    public async Task Other_lock_names_and_other_runtimes_are_separate_leaderships()
    {
        await using var a = new Coordinator(_runtime, new CoordinatorOptions { LockName = "a" });
        await using var b = new Coordinator(_runtime, new CoordinatorOptions { LockName = "b" });
        await using var elsewhere = new Coordinator(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = _clock }), new CoordinatorOptions { LockName = "a" });
        Assert.True(await a.TryAcquireAsync());
        Assert.True(await b.TryAcquireAsync());
        Assert.True(await elsewhere.TryAcquireAsync());
    }

    [Fact]
    public async Task A_leader_renews_every_half_ttl_and_keeps_leading()
    {
        await using var leader = new Coordinator(_runtime); // ttl 10 s
        await using var follower = new Coordinator(_runtime);
        Assert.True(await leader.TryAcquireAsync());
        var token = leader.FencingToken;
        for (var i = 1; i <= 6; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            Assert.True(await Eventually.TrueAsync(() => leader.Renewals == i));
        }

        Assert.True(leader.IsLeader);
        Assert.Equal(token, leader.FencingToken);
        Assert.False(await follower.TryAcquireAsync());
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_steps_down_before_its_lease_ends_and_only_then_can_another_take_over()
    {
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var flaky = new FlakyBackend(new MemoryLeadershipBackend(_runtime.Storage, CoordinatorOptions.DefaultLockName));
        await using var leader = new Coordinator(flaky, new CoordinatorOptions(), _clock, factory);
        await using var other = new Coordinator(_runtime);
        var lost = new ConcurrentQueue<LeadershipChangedEventArgs>();
        leader.Lost += (_, e) => lost.Enqueue(e);
        Assert.True(await leader.TryAcquireAsync());
        var token = leader.LeadershipLost;
        var fence = leader.FencingToken;

        flaky.Unreachable = true;
        _clock.Advance(TimeSpan.FromMilliseconds(9899)); // the deadline: 10 s - margin 0.1 s (10 × 1 %)
        // The failed renewal runs on the pool after its timer fired: wait for its warning, then see the leader still leads.
        Assert.True(await Eventually.TrueAsync(() => logs.Collector.GetSnapshot().Any(r => r.Id.Id == 5104 && r.Level == LogLevel.Warning)));
        Assert.True(leader.IsLeader);
        Assert.False(token.IsCancellationRequested);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(leader.IsLeader);
        Assert.True(token.IsCancellationRequested);
        var ended = Assert.Single(lost);
        Assert.Equal(LeadershipLossReason.Expired, ended.Reason);

        // Stepped down 100 ms before the lease ends in the store: nobody else can lead yet.
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(await other.TryAcquireAsync());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await other.TryAcquireAsync());
        Assert.True(other.FencingToken > fence);
    }

    [Fact]
    public async Task Release_steps_down_first_then_frees_the_lease_and_wakes_a_campaigning_follower_at_once()
    {
        await using var leader = new Coordinator(_runtime);
        await using var follower = new Coordinator(_runtime);
        await leader.StartAsync();
        await follower.StartAsync();
        Assert.True(leader.IsLeader);
        Assert.False(follower.IsLeader);
        var leaderToken = leader.LeadershipLost;
        // The follower leads (IsLeader) a moment before its Acquired handlers run: wait for the handler itself.
        var cancelledBeforeFollowerLed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        follower.Acquired += (_, _) => cancelledBeforeFollowerLed.TrySetResult(leaderToken.IsCancellationRequested);

        Assert.True(await leader.ReleaseAsync());
        // No clock advance: woken by the release.
        Assert.True(await cancelledBeforeFollowerLed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(follower.IsLeader);
        Assert.False(leader.IsLeader);
    }

    [Fact]
    public async Task Release_by_a_follower_is_a_no_op()
    {
        await using var leader = new Coordinator(_runtime);
        await using var follower = new Coordinator(_runtime);
        Assert.True(await leader.TryAcquireAsync());
        Assert.False(await follower.TryAcquireAsync());
        Assert.False(await follower.ReleaseAsync());
        Assert.True(leader.IsLeader);
    }

    [Fact]
    public async Task A_renewal_that_meets_a_server_error_is_tried_again_and_the_leader_keeps_its_term()
    {
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var flaky = new FlakyBackend(new MemoryLeadershipBackend(_runtime.Storage, CoordinatorOptions.DefaultLockName));
        await using var leader = new Coordinator(flaky, new CoordinatorOptions(), _clock, factory);
        Assert.True(await leader.TryAcquireAsync());
        var fence = leader.FencingToken;

        flaky.ServerError = new InvalidOperationException("BUSY Redis is busy running a script (simulated).");
        var timers = _clock.TimersCreated;
        _clock.Advance(TimeSpan.FromSeconds(5)); // the first renewal is due (every TTL / 2)
        Assert.True(await Eventually.TrueAsync(() => logs.Collector.GetSnapshot().Any(r => r.Id.Id == 5104 && r.Exception == flaky.ServerError)));
        Assert.True(await Eventually.TrueAsync(() => _clock.TimersCreated > timers)); // the retry is armed
        Assert.Equal(0, leader.Renewals);

        flaky.ServerError = null;
        _clock.Advance(TimeSpan.FromSeconds(1)); // the retry (TTL / 10)
        Assert.True(await Eventually.TrueAsync(() => leader.Renewals == 1));
        Assert.True(leader.IsLeader);
        Assert.Equal(fence, leader.FencingToken);
    }

    [Fact]
    public async Task A_campaign_whose_attempt_meets_a_server_error_goes_on_and_leads()
    {
        var flaky = new FlakyBackend(new MemoryLeadershipBackend(_runtime.Storage, CoordinatorOptions.DefaultLockName))
        {
            ServerError = new InvalidOperationException("READONLY You can't write against a read only replica (simulated)."),
        };
        await using var follower = new Coordinator(flaky, new CoordinatorOptions(), _clock, null);
        await follower.StartAsync(); // its first attempt fails: logged, the campaign goes on
        Assert.False(follower.IsLeader);

        flaky.ServerError = null;
        for (var i = 0; i < 50 && !follower.IsLeader; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            await Eventually.TrueAsync(() => true);
        }

        Assert.True(await Eventually.TrueAsync(() => follower.IsLeader));
    }

    [Fact]
    public async Task A_follower_takes_over_within_ttl_plus_retry_interval_after_the_leader_fails()
    {
        var flaky = new FlakyBackend(new MemoryLeadershipBackend(_runtime.Storage, CoordinatorOptions.DefaultLockName));
        await using var leader = new Coordinator(flaky, new CoordinatorOptions(), _clock, null);
        await using var follower = new Coordinator(_runtime);
        await leader.StartAsync();
        await follower.StartAsync();
        Assert.False(follower.IsLeader);

        flaky.Unreachable = true; // the leader "dies": no renewal, no release
        var elapsed = TimeSpan.Zero;
        while (!follower.IsLeader && elapsed < TimeSpan.FromSeconds(11))
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            elapsed += TimeSpan.FromMilliseconds(100);
            await Eventually.TrueAsync(() => true);
        }

        Assert.True(await Eventually.TrueAsync(() => follower.IsLeader));
        Assert.InRange(elapsed, TimeSpan.FromSeconds(9.9), TimeSpan.FromSeconds(11));
        Assert.False(leader.IsLeader);
    }

    [Fact]
    public async Task Fencing_tokens_grow_with_every_change_of_leader()
    {
        await using var a = new Coordinator(_runtime);
        await using var b = new Coordinator(_runtime);
        var last = 0L;
        for (var i = 0; i < 5; i++)
        {
            var next = i % 2 == 0 ? a : b;
            Assert.True(await next.TryAcquireAsync());
            Assert.True(next.FencingToken > last);
            last = next.FencingToken;
            Assert.True(await next.ReleaseAsync());
        }
    }

    [Theory]
    [InlineData(nameof(CoordinatorOptions.TtlSeconds), 0.0)]
    [InlineData(nameof(CoordinatorOptions.TtlSeconds), -1.0)]
    [InlineData(nameof(CoordinatorOptions.TtlSeconds), 0.5)]
    [InlineData(nameof(CoordinatorOptions.TtlSeconds), double.NaN)]
    [InlineData(nameof(CoordinatorOptions.TtlSeconds), double.PositiveInfinity)]
    [InlineData(nameof(CoordinatorOptions.RetryIntervalSeconds), 0.0)]
    [InlineData(nameof(CoordinatorOptions.RetryIntervalSeconds), -1.0)]
    [InlineData(nameof(CoordinatorOptions.RetryIntervalSeconds), double.NaN)]
    [InlineData(nameof(CoordinatorOptions.ClockDriftFactor), 0.5)]
    public void Out_of_range_settings_are_refused_naming_the_option(string option, double value)
    {
        var options = new CoordinatorOptions();
        typeof(CoordinatorOptions).GetProperty(option)!.SetValue(options, value);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Coordinator(_runtime, options));
        Assert.Equal(option, error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_blank_lock_name_is_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new Coordinator(_runtime, new CoordinatorOptions { LockName = name }));
        Assert.Equal(nameof(CoordinatorOptions.LockName), error.ParamName);
    }

    [Fact]
    public async Task A_disposed_coordinator_refuses_to_acquire()
    {
        var coordinator = new Coordinator(_runtime);
        await coordinator.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => coordinator.TryAcquireAsync().AsTask());
    }

    [Fact]
    public async Task A_follower_stays_follower_while_the_store_is_unreachable()
    {
        var flaky = new FlakyBackend(new MemoryLeadershipBackend(_runtime.Storage, CoordinatorOptions.DefaultLockName)) { Unreachable = true };
        await using var follower = new Coordinator(flaky, new CoordinatorOptions(), _clock, null);
        await follower.StartAsync(); // logs, does not throw
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.False(follower.IsLeader);
        await Assert.ThrowsAsync<ThrottleStorageException>(() => follower.TryAcquireAsync().AsTask());
    }
}
