using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Limiters.Contract;

/// <summary>
/// What the leaky bucket must do on every storage (README.md, "Limiters"): admitted calls start one after another,
/// <c>tokens / rate</c> apart; at most <c>capacity</c> are in the bucket; a non-waiting attempt grants only a call that may
/// start now; a cancelled waiter's slot is handed on when it is the last one and otherwise drains as a gap.
/// On fake time (memory) start times are exact; on a storage with its own clock (Redis) they are measured on the
/// server's clock, where a start can only look late: none may be early, so a burst passing at once can never pass.
/// </summary>
public abstract class LeakyBucketContractTests : IAsyncLifetime
{
    /// <summary>Capacity of the bucket under test.</summary>
    protected const double Capacity = 4;

    /// <summary>Leak rate, per second: calls start <see cref="Spacing"/> apart.</summary>
    protected const double Rate = 4;

    /// <summary>1 / <see cref="Rate"/>, in seconds.</summary>
    protected const double Spacing = 1 / Rate;

    private ThrottleStorage? _storage;

    /// <summary>The fake clock handed to storages that support fake time.</summary>
    protected TestClock Clock { get; } = new();

    /// <summary>The storage under test.</summary>
    protected ThrottleStorage Storage => _storage ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Whether the storage runs on <see cref="Clock"/>.</summary>
    protected abstract bool SupportsFakeTime { get; }

    /// <summary>How far a measured start may be off its schedule (0 on fake time).</summary>
    protected double Tolerance => SupportsFakeTime ? 1e-6 : Spacing / 5;

    public async Task InitializeAsync() => _storage = await CreateStorageAsync(Clock);

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    /// <summary>Creates a fresh storage; storages supporting fake time must use <paramref name="clock"/>.</summary>
    protected abstract ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock);

    /// <summary>The clock decisions are made on, in seconds (the fake clock, or the Redis server's).</summary>
    protected abstract Task<double> NowAsync();

    [Fact]
    public async Task A_burst_of_capacity_through_AcquireAsync_starts_evenly_spaced_and_the_next_call_waits_for_room()
    {
        var limiter = Create();
        var key = NewKey();
        var t0 = await NowAsync();

        // One more than the capacity: it finds the bucket full, waits for room, and starts right after the burst.
        var calls = Enumerable.Range(0, (int)Capacity + 1).Select(_ => StartedAt(limiter.AcquireAsync(key).AsTask())).ToArray();
        if (SupportsFakeTime)
        {
            // The first starts at once; every other caller waits on a timer (no polling), and nothing else has started.
            Assert.True(calls[0].IsCompletedSuccessfully);
            Assert.All(calls.Skip(1), c => Assert.False(c.IsCompleted));
            Assert.Equal((int)Capacity, Clock.TimersCreated);
        }

        // At most the capacity is in the bucket: the extra caller holds nothing while it waits for room.
        Assert.InRange((await limiter.GetStatsAsync(key)).AvailableTokens, 0, SupportsFakeTime ? 1e-9 : 0.5);

        var offsets = Enumerable.Range(0, calls.Length).Select(i => i * Spacing).ToArray();
        AssertStartsAt(t0, await RunUntilAsync(t0, calls, offsets, [Spacing]), offsets);
    }

    [Fact]
    public async Task A_call_beyond_what_its_max_wait_allows_fails_at_once_with_the_delay_until_a_call_could_start()
    {
        var limiter = Create();
        var strays = new List<Task>();

        // The bucket is full: never waiting, or waiting less than the queue ahead, fails without sleeping. On a real
        // clock a stall of the loaded machine (a run saw the burst's answers come 0.6 s late) shrinks the queue ahead
        // of the second call to what its wait allows, and it is rightly let in, or makes its refusal look slow; the
        // burst is then tried again on a new key, a bounded number of times (a limiter that ignores the wait is let
        // in every time, one that sleeps before refusing is slow every time).
        double t0;
        Task<double>[] burst;
        for (var attempt = 1; ; attempt++)
        {
            var key = NewKey();
            t0 = await NowAsync();
            burst = Enumerable.Range(0, (int)Capacity).Select(_ => StartedAt(limiter.AcquireAsync(key).AsTask())).ToArray();
            var never = await Assert.ThrowsAsync<RateLimitRejectedException>(() => limiter.AcquireAsync(key, maxWait: TimeSpan.Zero).AsTask());
            await AssertDelayAsync(Capacity * Spacing, never.RetryAfter, t0);
            var before = await NowAsync();
            var tooShort = limiter.AcquireAsync(key, maxWait: TimeSpan.FromSeconds(Capacity * Spacing / 2)).AsTask();
            var refused = await Record.ExceptionAsync(() => tooShort);
            var took = await NowAsync() - before;
            if (refused is not null && took <= Capacity * Spacing / 4)
            {
                await AssertDelayAsync(Capacity * Spacing, Assert.IsType<RateLimitRejectedException>(refused).RetryAfter, t0);
                break;
            }

            Assert.True(
                !SupportsFakeTime && attempt < 5,
                refused is null
                    ? $"a wait shorter than the queue ahead was let in (attempt {attempt})"
                    : $"a refusal took {took:0.000} s (attempt {attempt})");
            Assert.True(refused is null or RateLimitRejectedException, $"unexpected {refused}");
            strays.AddRange(burst);
        }

        // Within the bucket a bounded wait is judged by the start delay too: the last slot of a burst of capacity - 1
        // starts (capacity - 2) / rate later, so that wait suffices and, for the next call, one tick less than its own
        // (capacity - 1) / rate does not.
        var maxWaitOfFits = TimeSpan.FromSeconds((Capacity - 2) * Spacing) + TimeSpan.FromMilliseconds(SupportsFakeTime ? 0 : 100);
        // On a real clock the bucket leaks between the burst's decisions and this one: there the wait falls short by a
        // whole spacing, and as a loaded machine can still stall that long now and then, a grant is tried again on a
        // new key a bounded number of times (a limiter that ignores the wait is granted every time).
        var shortOfIt = TimeSpan.FromSeconds((Capacity - 1) * Spacing) - (SupportsFakeTime ? TimeSpan.FromTicks(1) : TimeSpan.FromSeconds(Spacing));
        Task<double>[] fits;
        for (var attempt = 1; ; attempt++)
        {
            var other = NewKey();
            fits = Enumerable.Range(0, (int)Capacity - 1).Select(_ => StartedAt(limiter.AcquireAsync(other, maxWait: maxWaitOfFits).AsTask())).ToArray();
            var tooLittle = limiter.AcquireAsync(other, maxWait: shortOfIt).AsTask();
            if (await Record.ExceptionAsync(() => tooLittle) is { } refused)
            {
                Assert.IsType<RateLimitRejectedException>(refused);
                break;
            }

            Assert.True(!SupportsFakeTime && attempt < 5, $"a wait short of the queue ahead was granted (attempt {attempt})");
            strays.AddRange(fits);
        }

        await Task.WhenAll(strays).WaitAsync(TimeSpan.FromSeconds(30));
        double[] both = [0, 0, Spacing, Spacing, 2 * Spacing, 2 * Spacing, 3 * Spacing];
        await RunUntilAsync(t0, [.. burst, .. fits], both);
    }

    [Fact]
    public async Task TryAcquire_grants_only_a_call_that_may_start_now()
    {
        var limiter = Create();
        string key;
        double t0;
        RateLimitDecision rejected;
        for (var attempt = 1; ; attempt++)
        {
            key = NewKey();
            t0 = await NowAsync();
            Assert.True(await limiter.TryAcquireAsync(key));
            rejected = await limiter.AttemptAcquireAsync(key);
            if (!rejected.IsAcquired)
            {
                break;
            }

            // Let in: right only if a stall of the loaded machine kept the second decision a spacing after the first
            // (then tried again on a new key, a bounded number of times).
            await AssertStalledAsync(t0, Spacing, attempt, "a second call right after the first");
        }

        await AssertDelayAsync(Spacing, rejected.RetryAfter, t0);
        if (SupportsFakeTime)
        {
            Clock.Advance(rejected.RetryAfter - TimeSpan.FromTicks(1));
            Assert.False(await limiter.TryAcquireAsync(key));
            Clock.Advance(TimeSpan.FromTicks(1));
        }
        else
        {
            await Task.Delay(rejected.RetryAfter + TimeSpan.FromMilliseconds(20));
        }

        Assert.True(await limiter.TryAcquireAsync(key));

        // Callers queued by AcquireAsync are ahead: a non-waiting attempt cannot jump them.
        var strays = new List<Task>();
        for (var attempt = 1; ; attempt++)
        {
            var queued = NewKey();
            var t1 = await NowAsync();
            var waiting = Enumerable.Range(0, 3).Select(_ => StartedAt(limiter.AcquireAsync(queued).AsTask())).ToArray();
            var behind = await limiter.AttemptAcquireAsync(queued);
            if (!behind.IsAcquired)
            {
                await AssertDelayAsync(3 * Spacing, behind.RetryAfter, t1);
                await RunUntilAsync(t1, waiting, [0, Spacing, 2 * Spacing]);
                break;
            }

            await AssertStalledAsync(t1, 3 * Spacing, attempt, "a call behind three queued ones");
            strays.AddRange(waiting);
        }

        await Task.WhenAll(strays).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// A call was let in where the test expected a refusal: on a real clock that is right only when at least
    /// <paramref name="seconds"/> passed on the server since <paramref name="since"/> (a stall of the loaded machine
    /// between the decisions), and the caller tries again on a new key, at most 5 times; on fake time it is a failure.
    /// </summary>
    private async Task AssertStalledAsync(double since, double seconds, int attempt, string what)
    {
        var passed = await NowAsync() - since;
        Assert.True(
            !SupportsFakeTime && passed >= seconds - 0.005 && attempt < 5,
            $"{what} was let in {passed:0.000} s after the first decision (attempt {attempt})");
    }

    [Fact]
    public async Task Cancelling_the_last_waiter_hands_its_slot_to_the_next_caller()
    {
        var limiter = Create();
        var key = NewKey();
        var t0 = await NowAsync();
        using var cancellation = new CancellationTokenSource();
        var first = Enumerable.Range(0, (int)Capacity - 1).Select(_ => StartedAt(limiter.AcquireAsync(key).AsTask())).ToArray();
        var last = limiter.AcquireAsync(key, cancellationToken: cancellation.Token).AsTask();

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => last);
        Assert.InRange((await limiter.GetStatsAsync(key)).AvailableTokens, 1 - Tolerance, 1 + (SupportsFakeTime ? 1e-9 : 0.5));

        // The next caller takes the freed start, (capacity - 1) / rate, still a full spacing after the one before.
        var next = StartedAt(limiter.AcquireAsync(key).AsTask());
        var offsets = Enumerable.Range(0, (int)Capacity).Select(i => i * Spacing).ToArray();
        AssertStartsAt(t0, await RunUntilAsync(t0, [.. first, next], offsets), offsets);
    }

    [Fact]
    public async Task Cancelling_a_waiter_in_the_middle_keeps_every_later_start_and_its_slot_drains_as_a_gap()
    {
        var limiter = Create();
        var key = NewKey();
        var t0 = await NowAsync();
        using var cancellation = new CancellationTokenSource();
        var head = StartedAt(limiter.AcquireAsync(key).AsTask());
        var middle = limiter.AcquireAsync(key, cancellationToken: cancellation.Token).AsTask();
        var tail = Enumerable.Range(0, (int)Capacity - 2).Select(_ => StartedAt(limiter.AcquireAsync(key).AsTask())).ToArray();

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => middle);
        // Handing it back would let a new caller start beside one already scheduled; the slot stays, unused.
        Assert.InRange((await limiter.GetStatsAsync(key)).AvailableTokens, 0, SupportsFakeTime ? 1e-9 : 0.5);

        // A caller arriving now waits for room and starts after the whole schedule, not inside the gap.
        var late = StartedAt(limiter.AcquireAsync(key).AsTask());
        double[] offsets = [0, .. Enumerable.Range(2, (int)Capacity - 2).Select(i => i * Spacing), Capacity * Spacing];
        AssertStartsAt(t0, await RunUntilAsync(t0, [head, .. tail, late], offsets, [Spacing]), offsets);

        // Not lost for good: once the schedule has leaked out, the whole capacity is back.
        await ElapseAsync(TimeSpan.FromSeconds(Spacing * 1.2));
        Assert.InRange((await limiter.GetStatsAsync(key)).AvailableTokens, Capacity - Tolerance, Capacity);
        Assert.True(await limiter.TryAcquireAsync(key, Capacity));
    }

    [Fact]
    public async Task The_level_drains_at_the_rate_and_release_lowers_it_only_when_nobody_waits()
    {
        var limiter = Create();
        var key = NewKey();
        var before = await NowAsync();
        Assert.True(await limiter.TryAcquireAsync(key, Capacity));
        var t0 = await NowAsync();

        // Full; on a real clock less what has leaked since the acquire began (a cold first call may take a while).
        var full = (await limiter.GetStatsAsync(key)).AvailableTokens;
        Assert.InRange(full, 0, SupportsFakeTime ? 1e-9 : (await NowAsync() - before + Tolerance) * Rate);

        // On a real clock the read is bracketed by the server's time: what leaked is at least what the time before the
        // read allows and at most what the time after it (from before the acquire) allows, however long a stall lasts.
        await ElapseAsync(TimeSpan.FromSeconds(2 * Spacing));
        var elapsed = await NowAsync() - t0;
        var available = (await limiter.GetStatsAsync(key)).AvailableTokens;
        var elapsedAfter = SupportsFakeTime ? elapsed : await NowAsync() - before;
        Assert.InRange(available, (elapsed * Rate) - (Tolerance * Rate), (elapsedAfter * Rate) + (Tolerance * Rate));

        // Nobody waits: a release lowers the level by its tokens, never below empty (which a stalled run may reach);
        // on a real clock the level also leaks for as long as the two reads are apart.
        var beforeDrained = await NowAsync();
        var drained = (await limiter.GetStatsAsync(key)).AvailableTokens;
        await limiter.ReleaseAsync(key, 1);
        var released = (await limiter.GetStatsAsync(key)).AvailableTokens;
        var leaked = SupportsFakeTime ? 1e-6 : (await NowAsync() - beforeDrained + Tolerance) * Rate;
        var expected = Math.Min(Capacity, drained + 1);
        Assert.InRange(released, expected - 1e-6, Math.Min(Capacity, expected + leaked));

        // A caller waits for its start behind capacity - 1 reserved calls: a release leaves the schedule alone (the
        // level only leaks, for as long as the reads are apart on a real clock).
        var other = NewKey();
        var t1 = await NowAsync();
        Assert.True(await limiter.TryAcquireAsync(other, Capacity - 1));
        var waiting = StartedAt(limiter.AcquireAsync(other).AsTask());
        var beforeQueued = await NowAsync();
        var queued = (await limiter.GetStatsAsync(other)).AvailableTokens;
        await limiter.ReleaseAsync(other, 2);
        var afterRelease = (await limiter.GetStatsAsync(other)).AvailableTokens;
        var leakedSince = SupportsFakeTime ? 1e-9 : (await NowAsync() - beforeQueued + Tolerance) * Rate;
        Assert.InRange(afterRelease, queued - 1e-6, queued + leakedSince);
        double[] start = [(Capacity - 1) * Spacing];
        AssertStartsAt(t1, await RunUntilAsync(t1, [waiting], start), start);
    }

    /// <summary>A leaky bucket of <see cref="Capacity"/> leaking <see cref="Rate"/> per second.</summary>
    protected LeakyBucketLimiter Create() => new(Rate, Capacity, Storage, "leaky-contract");

    /// <summary>A key no other test uses.</summary>
    protected static string NewKey() => "k-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// Tracks one acquire. On a real clock it records the server time right after the caller was let in; on fake time
    /// <see cref="RunUntilAsync"/> records it while stepping the clock.
    /// </summary>
    protected Task<double> StartedAt(Task acquire) => SupportsFakeTime ? Done(acquire) : StartedOnServer(acquire);

    /// <summary>Lets <paramref name="duration"/> pass: the fake clock, or real time.</summary>
    protected async Task ElapseAsync(TimeSpan duration)
    {
        if (SupportsFakeTime)
        {
            Clock.Advance(duration);
        }
        else
        {
            await Task.Delay(duration);
        }
    }

    /// <summary>
    /// Lets time pass until every call has started and returns the start times in order. On fake time the clock moves
    /// to one tick before each scheduled moment (<paramref name="offsets"/> after <paramref name="t0"/>), where no call
    /// may have started yet, then onto it, where the calls due must start: the times are exact and an early start
    /// fails. At each of <paramref name="roomWakes"/> a caller that waited for room reserves again; the clock moves on
    /// only once it has (its new timer is the signal), so it reserves at that moment.
    /// </summary>
    protected async Task<double[]> RunUntilAsync(double t0, Task<double>[] calls, double[] offsets, double[]? roomWakes = null)
    {
        Assert.Equal(offsets.Length, calls.Length);
        if (!SupportsFakeTime)
        {
            // A safety net against a hang, never a timing assertion.
            return [.. (await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30))).Order()];
        }

        while (Clock.WaitForTimer(TimeSpan.Zero))
        {
            // Forget the timers created so far: only those created from here on are signals.
        }

        var pending = calls.ToList();
        var starts = new List<double>();
        foreach (var moment in offsets.Concat(roomWakes ?? []).Distinct().Order())
        {
            var gap = TimeSpan.FromSeconds(t0 + moment - await NowAsync());
            if (gap > TimeSpan.Zero)
            {
                Clock.Advance(gap - TimeSpan.FromTicks(1));
                Assert.True(!pending.Any(c => c.IsCompleted), $"a call started before {moment} s");
                Clock.Advance(TimeSpan.FromTicks(1));
            }

            for (var i = 0; i < (roomWakes ?? []).Count(w => w == moment); i++)
            {
                Assert.True(await Clock.WaitForTimerAsync(), "a caller waiting for room did not reserve");
            }

            for (var i = 0; i < offsets.Count(o => o == moment); i++)
            {
                // A safety net against a hang, never a timing assertion.
                var started = await Task.WhenAny(pending).WaitAsync(TimeSpan.FromSeconds(30));
                await started;
                pending.Remove(started);
                starts.Add(await NowAsync());
            }
        }

        return [.. starts];
    }

    /// <summary>
    /// Each start is on its schedule (offset from <paramref name="t0"/>). On fake time exactly, so consecutive starts are
    /// exactly the scheduled gap apart. On a real clock a start is measured after the fact, so it can only look late:
    /// none may be early (5 ms for the client timer against the server clock), none more than a second late.
    /// A burst passing at once fails by the whole spacing.
    /// </summary>
    protected void AssertStartsAt(double t0, double[] starts, double[] offsets)
    {
        Assert.Equal(offsets.Length, starts.Length);
        for (var i = 0; i < starts.Length; i++)
        {
            if (SupportsFakeTime)
            {
                Assert.Equal(offsets[i], starts[i] - t0, 6);
            }
            else
            {
                Assert.True(
                    starts[i] - t0 >= offsets[i] - 0.005 && starts[i] - t0 <= offsets[i] + 1,
                    $"start {i} came {starts[i] - t0:0.###} s after the burst; scheduled {offsets[i]:0.###} s");
            }
        }
    }

    /// <summary>
    /// A delay the storage computed for a schedule that began at <paramref name="t0"/>: exact on fake time; on a real
    /// clock, less what has passed since (never more).
    /// </summary>
    protected async Task AssertDelayAsync(double expectedSeconds, TimeSpan actual, double t0)
    {
        if (SupportsFakeTime)
        {
            Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), actual);
        }
        else
        {
            var passed = await NowAsync() - t0;
            Assert.InRange(actual.TotalSeconds, expectedSeconds - passed - 0.01, expectedSeconds + 1e-6);
        }
    }

    private static async Task<double> Done(Task acquire)
    {
        await acquire;
        return double.NaN;
    }

    private async Task<double> StartedOnServer(Task acquire)
    {
        await acquire;
        return await NowAsync();
    }
}
