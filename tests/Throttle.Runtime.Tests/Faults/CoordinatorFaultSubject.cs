using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Coordination;
using Throttle.Policies;
using Throttle.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Faults;

/// <summary>
/// Leader election: two coordinators campaign for one lock (TTL 1.2 s, retry 0.2 s), one leads before the fault.
/// Checked throughout by a watchdog: never both leading at once, except after a wipe of a live lease (FLUSHALL), where
/// the old leader learns it at its next renewal (at most TTL/2 + the timeout later) while the new one already holds a
/// larger fencing token. Under an outage (kill -9, CLIENT PAUSE) the leader, unable to renew, steps down within its TTL
/// of the outage's start and nobody leads until Redis answers; SCRIPT FLUSH changes nothing (same term, renewals go on).
/// After every fault one leader leads again without a restart, and the fencing tokens of all terms only increase.
/// The failure policy does not apply (leadership never fails open); one subject per storage covers its key prefix.
/// </summary>
internal sealed class CoordinatorFaultSubject : IFaultSubject
{
    private const double TtlSeconds = 1.2;
    private const double RetrySeconds = 0.2;

    // Timer and thread-pool lateness on a loaded machine: only widens upper bounds.
    private static readonly TimeSpan s_lateness = TimeSpan.FromMilliseconds(400);

    private readonly RedisStorage _storage;
    private readonly Coordinator[] _coordinators;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private readonly List<(int Who, long Token, TimeSpan At)> _acquired = [];
    private readonly List<(int Who, long Token, LeadershipLossReason? Reason, TimeSpan At)> _lost = [];
    private readonly CancellationTokenSource _stopWatchdog = new();
    private Task _watchdog = Task.CompletedTask;
    private TaskCompletionSource _changed = NewSignal();
    private TimeSpan _longestOverlap;
    private TimeSpan _overlapStart = TimeSpan.MinValue;
    private int _leader;
    private long _leaderToken;
    private TimeSpan _outageStart;

    public CoordinatorFaultSubject(RedisStorage storage)
    {
        _storage = storage;
        var options = new CoordinatorOptions { LockName = "faults-leader", TtlSeconds = TtlSeconds, RetryIntervalSeconds = RetrySeconds };
        OptionRules.ThrowFirst(options.Validate());
        _coordinators = [Create(0), Create(1)];

        Coordinator Create(int who)
        {
            var coordinator = new Coordinator(new RedisLeadershipBackend(storage.Layer, options.LockName), options, TimeProvider.System, null);
            coordinator.Acquired += (_, e) => Record(() => _acquired.Add((who, e.FencingToken, _clock.Elapsed)));
            coordinator.Lost += (_, e) => Record(() => _lost.Add((who, e.FencingToken, e.Reason, _clock.Elapsed)));
            return coordinator;
        }
    }

    public string Name => $"leader election, {_storage.Options.FailureMode}";

    private static TimeSpan Ttl => TimeSpan.FromSeconds(TtlSeconds);

    private static TimeSpan Retry => TimeSpan.FromSeconds(RetrySeconds);

    public async Task PrepareAsync()
    {
        await _coordinators[0].StartAsync();
        await _coordinators[1].StartAsync();
        Assert.True(_coordinators[0].IsLeader, $"{Name}: the first coordinator did not lead on a free lock.");
        Assert.False(_coordinators[1].IsLeader, $"{Name}: both lead.");
        _leader = 0;
        _leaderToken = _coordinators[0].FencingToken;
        _watchdog = WatchAsync(_stopWatchdog.Token);
    }

    public async Task DuringOutageAsync(FaultBounds bounds)
    {
        _outageStart = _clock.Elapsed;

        // Down (not paused) until this returns: the leader must step down by itself, within its TTL.
        if (await WaitForAsync(() => _lost.Any(l => l.Who == _leader), Ttl + TimeSpan.FromMilliseconds(300)) is false)
        {
            // A pause ends before this bound; AfterAsync checks the step-down there.
            return;
        }

        var lost = Snapshot(() => _lost.First(l => l.Who == _leader));
        Assert.Equal(LeadershipLossReason.Expired, lost.Reason);
        Assert.True(lost.At - _outageStart <= Ttl + s_lateness, $"{Name}: the leader stepped down {lost.At - _outageStart} into the outage; TTL {Ttl}.");
        Assert.False(_coordinators.Any(c => c.IsLeader), $"{Name}: a coordinator leads while Redis is out.");
    }

    public async Task AfterAsync(RedisFault fault, FaultBounds bounds)
    {
        switch (fault)
        {
            case RedisFault.KillAndRestart or RedisFault.ClientPause:
            {
                // Stepped down, and within its TTL of the outage's start (a pause longer than the TTL included).
                var lost = Snapshot(() => _lost.FirstOrDefault(l => l.Who == _leader && l.Token == _leaderToken));
                Assert.True(lost.Token == _leaderToken, $"{Name}: the leader never stepped down during the {fault}.");
                Assert.Equal(LeadershipLossReason.Expired, lost.Reason);
                Assert.True(lost.At - _outageStart <= Ttl + s_lateness, $"{Name}: the leader stepped down {lost.At - _outageStart} into the {fault}; TTL {Ttl}.");
                await AssertOneLeadsAgainAsync(bounds);
                break;
            }

            case RedisFault.ScriptFlush:
            {
                // The lease is still there: the same term goes on, its renewals reload the script.
                var renewalsBefore = _coordinators[_leader].Renewals;
                Assert.True(
                    await WaitForAsync(() => _coordinators[_leader].Renewals >= renewalsBefore + 2, (Ttl * 2) + bounds.CallerLatency),
                    $"{Name}: no renewal went through after SCRIPT FLUSH.");
                Assert.True(_coordinators[_leader].IsLeader, $"{Name}: the leader lost its term to SCRIPT FLUSH.");
                Assert.Equal(_leaderToken, _coordinators[_leader].FencingToken);
                Assert.False(_coordinators[1 - _leader].IsLeader);
                Assert.Empty(Snapshot(() => _lost.ToArray()));
                break;
            }

            case RedisFault.FlushAll:
            {
                // The live lease is gone: the follower takes it at its next attempt; the old leader learns at its
                // next renewal (superseded), so the two overlap at most TTL/2 + the timeout, the new one with the
                // larger token (what fencing is for).
                var bound = (Ttl / 2) + bounds.CallerLatency + s_lateness;
                Assert.True(
                    await WaitForAsync(() => _lost.Any(l => l.Who == _leader), bound + Retry),
                    $"{Name}: the old leader never learned that FLUSHALL took its lease.");
                var lost = Snapshot(() => _lost.First(l => l.Who == _leader));
                Assert.Equal(LeadershipLossReason.Superseded, lost.Reason);
                Assert.True(_longestOverlap <= bound, $"{Name}: two leaders overlapped {_longestOverlap} after FLUSHALL; bound {bound}.");
                await AssertOneLeadsAgainAsync(bounds);
                break;
            }
        }

        await _stopWatchdog.CancelAsync();
        await _watchdog;
        if (fault != RedisFault.FlushAll)
        {
            Assert.True(_longestOverlap == TimeSpan.Zero, $"{Name}: two coordinators led at once for {_longestOverlap} after {fault}.");
        }

        // Every term's token is larger than every earlier one, across the outage, restart or wipe.
        var tokens = Snapshot(() => _acquired.Select(a => a.Token).ToArray());
        Assert.True(tokens.Length >= 1);
        for (var i = 1; i < tokens.Length; i++)
        {
            Assert.True(tokens[i] > tokens[i - 1], $"{Name}: fencing tokens {string.Join(", ", tokens)} do not increase.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopWatchdog.CancelAsync();
        await _watchdog;
        foreach (var coordinator in _coordinators)
        {
            await coordinator.DisposeAsync();
        }

        _stopWatchdog.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // After an outage or a wipe, one coordinator leads again (recovery without restart) with a token above the old term's.
    private async Task AssertOneLeadsAgainAsync(FaultBounds bounds)
    {
        // The guard: reconnecting after a restart takes the client some seconds on a loaded machine.
        Assert.True(
            await WaitForAsync(() => _acquired.Any(a => a.Token > _leaderToken), TimeSpan.FromSeconds(30)),
            $"{Name}: nobody leads again after the fault.");
        var next = Snapshot(() => _acquired.First(a => a.Token > _leaderToken));
        Assert.True(_coordinators[next.Who].IsLeader || Snapshot(() => _lost.Any(l => l.Token == next.Token)), $"{Name}: the new term vanished.");
        Assert.True(next.Token > _leaderToken);
    }

    // The watchdog: both coordinators' IsLeader read together, every few milliseconds; records the longest overlap.
    private async Task WatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var both = _coordinators[0].IsLeader && _coordinators[1].IsLeader;
            var now = _clock.Elapsed;
            if (both)
            {
                if (_overlapStart == TimeSpan.MinValue)
                {
                    _overlapStart = now;
                }

                // At least one tick: a single sample with both leading is an overlap.
                var overlap = now - _overlapStart + TimeSpan.FromTicks(1);
                if (overlap > _longestOverlap)
                {
                    _longestOverlap = overlap;
                }
            }
            else
            {
                _overlapStart = TimeSpan.MinValue;
            }

            try
            {
                await Task.WhenAny(_changed.Task, Task.Delay(5, stop));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Record(Action change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change();
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private T Snapshot<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    // Waits for a leadership event that makes condition true (or a renewal: checked at each event and every 20 ms).
    private async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition())
                {
                    return true;
                }

                changed = _changed.Task;
            }

            var left = deadline - _clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(20) ? left : TimeSpan.FromMilliseconds(20)));
        }
    }
}
