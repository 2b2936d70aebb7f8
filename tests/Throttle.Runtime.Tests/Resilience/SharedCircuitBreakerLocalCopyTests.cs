using System;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Throttle.Resilience;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>
/// The local copy of a shared breaker, driven by answers and announcements as Redis would send them, on a fake clock:
/// what it admits and rejects without a round trip, when it asks Redis for the trial, and that stale news is ignored.
/// </summary>
public sealed class SharedCircuitBreakerLocalCopyTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();
    private readonly CircuitBreakerHandle _breaker;

    public SharedCircuitBreakerLocalCopyTests()
    {
        var runtime = Calls.Runtime(_clock);
        _breaker = runtime.CreateCircuitBreaker("payments", 3, Break, shared: true, user: "test");
    }

    [Fact]
    public void On_memory_storage_a_shared_breaker_is_this_process_breaker()
    {
        Assert.False(_breaker.IsShared);
        Assert.Null(_breaker.Shared);
    }

    [Fact]
    public void Closed_admits_without_asking()
    {
        Assert.Equal(SharedEntry.Admit, _breaker.DecideShared(out var rejection));
        Assert.Null(rejection);
    }

    [Fact]
    public void Open_from_an_announcement_rejects_for_the_rest_of_the_break_then_asks_once_for_the_trial()
    {
        _breaker.ApplyShared(new SharedBreakerAnswer(SharedBreakerStatus.Open, 5, 4000));
        Assert.Equal(SharedEntry.Reject, _breaker.DecideShared(out var rejection));
        var broken = Assert.IsType<BrokenCircuitException>(rejection);
        Assert.Equal(TimeSpan.FromSeconds(4), broken.RetryAfter);
        Assert.Null(broken.InnerException); // opened by another process: no failure of this one to show

        _clock.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromTicks(1));
        Assert.Equal(SharedEntry.Reject, _breaker.DecideShared(out _));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.HalfOpen, _breaker.State);
        Assert.Equal(SharedEntry.AskForTrial, _breaker.DecideShared(out _));

        // While this process asks (or runs the trial), its other calls fail fast without asking.
        Assert.Equal(SharedEntry.Reject, _breaker.DecideShared(out var meanwhile));
        Assert.IsType<BrokenCircuitException>(meanwhile);
    }

    [Fact]
    public void Busy_rejects_until_the_other_process_trial_lease_ends()
    {
        _breaker.ApplyShared(new SharedBreakerAnswer(SharedBreakerStatus.Open, 5, 0));
        Assert.Equal(SharedEntry.AskForTrial, _breaker.DecideShared(out _));
        _breaker.ApplyShared(new SharedBreakerAnswer(SharedBreakerStatus.Busy, 5, 3000));

        Assert.Equal(SharedEntry.Reject, _breaker.DecideShared(out var rejection));
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.IsType<BrokenCircuitException>(rejection).RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(SharedEntry.AskForTrial, _breaker.DecideShared(out _));
    }

    [Fact]
    public void News_older_than_the_known_generation_is_ignored()
    {
        _breaker.ApplyShared(new SharedBreakerAnswer(SharedBreakerStatus.Open, 7, 10_000));
        _breaker.ApplyShared(new SharedBreakerAnswer(SharedBreakerStatus.Closed, 6, 0));
        Assert.Equal(CircuitState.Open, _breaker.State);

        _breaker.ApplyShared(new SharedBreakerAnswer(SharedBreakerStatus.Closed, 8, 0));
        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public void A_streak_announced_elsewhere_makes_the_next_success_a_write_and_a_reset_clears_it()
    {
        Assert.Equal(0, _breaker.ConsecutiveFailures);
        _breaker.ApplyShared(SharedBreakerAnswer.ParseAnnouncement("f|3|1")!.Value);
        Assert.Equal(1, _breaker.ConsecutiveFailures);
        _breaker.ApplyShared(SharedBreakerAnswer.ParseAnnouncement("r|3")!.Value);
        Assert.Equal(0, _breaker.ConsecutiveFailures);
    }

    [Theory]
    [InlineData("o|12|5000", "Open", 12, 5000)]
    [InlineData("c|13", "Closed", 13, 0)]
    [InlineData("r|13", "Closed", 13, 0)]
    [InlineData("i|14", "Isolated", 14, 0)]
    [InlineData("f|15|1", "Counting", 15, 1)]
    public void Announcements_are_read(string message, string status, long generation, long value) =>
        Assert.Equal(new SharedBreakerAnswer(Enum.Parse<SharedBreakerStatus>(status), generation, value), SharedBreakerAnswer.ParseAnnouncement(message));

    [Theory]
    [InlineData("")]
    [InlineData("x|1")]
    [InlineData("o")]
    [InlineData("o|-1|5")]
    [InlineData("o|1|z")]
    public void Unknown_announcements_are_ignored(string message) => Assert.Null(SharedBreakerAnswer.ParseAnnouncement(message));

    [Fact]
    public void Isolated_from_an_announcement_rejects_with_isolated_circuit_exception()
    {
        _breaker.ApplyShared(new SharedBreakerAnswer(SharedBreakerStatus.Isolated, 2, 0));
        Assert.Equal(SharedEntry.Reject, _breaker.DecideShared(out var rejection));
        Assert.IsType<IsolatedCircuitException>(rejection);
    }
}
