using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Internal;
using Throttle.Policies;
using Throttle.Storage;
using Throttle.Storage.Redis;

namespace Throttle.Semaphores;

/// <summary>
/// A counting semaphore shared through Redis by every process that uses the same key and value.
/// </summary>
/// <remarks>
/// <para>
/// <b>Leases.</b> Every slot is held under a lease that expires <see cref="LeaseTime"/> after it was last renewed; the
/// semaphore renews it every third of the lease time while it is held. A holder that crashes (or loses Redis for
/// longer than the lease) stops renewing, and its slot returns within the lease time. Releasing an expired lease
/// releases nothing and throws <see cref="SemaphoreLeaseLostException"/> from <see cref="SemaphoreLease.ReleaseAsync"/>
/// (dispose only sets <see cref="SemaphoreLease.IsLost"/>). Disposing a lease does not wait for Redis: its release goes
/// with the next acquire of this instance that the disposing code starts before its work item ends (one script call
/// for both), else alone at its end (see <see cref="SemaphoreLease.DisposeAsync"/>).
/// </para>
/// <para>
/// <b>Wake-up and order.</b> Waiters take a ticket on their first refusal and slots are granted in ticket order: a
/// newcomer never overtakes a live waiter. The script that frees a slot (a release, or any call that finds an expired
/// lease) hands it straight to the first waiter in the queue and names it on a Redis 7 sharded channel in the
/// semaphore's hash-tag slot (<c>SPUBLISH</c>; on a cluster only the slot's node carries it): a release of one slot
/// wakes exactly one waiter, in any process, which takes the slot without another round trip (a waiter of the releasing
/// instance itself is named in the script's answer instead, and woken by the releaser without a message). Polling every
/// <see cref="AcquireSleepDelay"/> (at most a third of the lease time, and when the earliest lease expires) is only a
/// fallback for lost messages and crashed holders: a waiter that polls finds the slot handed to it. A waiter that
/// crashes loses its place after one lease time (a slot handed to it meanwhile expires when its place would have).
/// Needs Redis 7.0 or later.
/// </para>
/// <para>
/// <b>Redis.</b> Every call goes through the Redis layer of its storage: keys under the key prefix, built from the key
/// and partition with the same escaping as limiter keys, each with a TTL (all of a semaphore's keys expire at one instant,
/// moved half a lease ahead whenever a later lease is written: an idle semaphore's keys expire 1 to 1.5 lease times after
/// its last holder or waiter, plus a second, and with them any slots added by releases without a lease); every
/// call is bounded by <see cref="RedisStorageOptions.OperationTimeout"/> and fails with
/// <see cref="ThrottleStorageException"/> naming the endpoint when Redis cannot be reached (the failure mode of limiters
/// does not apply: a slot is never granted without Redis). A restarted Redis forgets every lease: their renewal then
/// marks them lost.
/// </para>
/// <para>
/// <b>Losing a lease.</b> A lease is lost when a renewal finds it gone, or at its deadline (one lease time after the
/// last confirmed renewal); <see cref="SemaphoreLease.LeaseLost"/> is then cancelled. See <see cref="SemaphoreLease"/>
/// for how long a lost holder can run beside a new one.
/// </para>
/// </remarks>
public class DistributedSemaphore : ThrottleSemaphore
{
    private static readonly TimeSpan s_defaultLease = TimeSpan.FromSeconds(DistributedSemaphoreOptions.DefaultLeaseSeconds);
    private static readonly TimeSpan s_defaultSleep = TimeSpan.FromSeconds(DistributedSemaphoreOptions.DefaultAcquireSleepDelaySeconds);
    private static readonly TimeSpan s_minLease = TimeSpan.FromSeconds(DistributedSemaphoreOptions.MinLeaseSeconds);
    private static readonly TimeSpan s_maxLease = TimeSpan.FromSeconds(DistributedSemaphoreOptions.MaxLeaseSeconds);

    private static readonly RedisValue s_try = "try";
    private static readonly RedisValue s_wait = "wait";
    private static readonly RedisValue s_again = "again";

    private readonly RedisLayer _redis;
    private readonly SemaphoreKeys _keys;
    private readonly RedisValue _bounded;
    private readonly bool _isBounded;
    private readonly RedisValue _lease;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly RedisValue _channel;
    private readonly Action<RedisChannel, RedisValue> _onMessage;
    private readonly object _subscriptionGate = new();

    // This instance's waiters by the counter of their holder id: a hand-off message completes the named ones only.
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();
    private Task<bool>? _subscription;
    private long _missedWakes; // hand-offs naming a waiter of this instance not (yet) registered: see AcquireCoreAsync
    private int _parked;
    private long _counter;
    private bool _stopListening;

    /// <summary>Creates a handle on the semaphore <paramref name="key"/> of <paramref name="value"/> slots, with the default
    /// <see cref="RedisStorageOptions"/> (key prefix <c>throttle</c>, 2 s operation timeout).</summary>
    /// <param name="redis">The Redis connection; not owned.</param>
    /// <param name="key">The semaphore's name; Redis keys are <c>throttle:sem:{key}:…</c> (layout: README, "Redis key layout").</param>
    /// <param name="value">The number of slots, at least 1. The first user stores it; a different value later is an error.</param>
    /// <param name="acquireSleepDelay">The fallback polling interval while waiting; default 0.1 s.</param>
    /// <param name="acquireTimeout">The default acquire timeout; null for no bound.</param>
    /// <param name="leaseTime">How long a slot outlives a holder that stops renewing; default 30 s, from
    /// <see cref="Throttle.Policies.DistributedSemaphoreOptions.MinLeaseSeconds"/> to <see cref="Throttle.Policies.DistributedSemaphoreOptions.MaxLeaseSeconds"/>.</param>
    /// <param name="timeProvider">The clock of timeouts and renewal; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="redis"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null, empty or too long for a Redis key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value or duration is out of range.</exception>
#pragma warning disable RS0022 // Subclasses outside the assembly cannot reach the private protected members anyway.
    public DistributedSemaphore(
        IConnectionMultiplexer redis,
        string key,
        int value,
        TimeSpan? acquireSleepDelay = null,
        TimeSpan? acquireTimeout = null,
        TimeSpan? leaseTime = null,
        TimeProvider? timeProvider = null)
        : this(RedisLayer.On(redis, null), key, null, value, acquireSleepDelay, acquireTimeout, leaseTime, timeProvider, bounded: false)
    {
    }

#pragma warning restore RS0022

    private protected DistributedSemaphore(
        RedisLayer redis,
        string key,
        string? partition,
        int value,
        TimeSpan? acquireSleepDelay,
        TimeSpan? acquireTimeout,
        TimeSpan? leaseTime,
        TimeProvider? timeProvider,
        bool bounded)
        : base(partition is null ? key : key + ":" + partition, value, acquireTimeout, timeProvider)
    {
        AcquireSleepDelay = PositiveFinite(acquireSleepDelay ?? s_defaultSleep, nameof(acquireSleepDelay));
        LeaseTime = PositiveFinite(leaseTime ?? s_defaultLease, nameof(leaseTime));
        if (LeaseTime < s_minLease)
        {
            throw new ArgumentOutOfRangeException(
                nameof(leaseTime), LeaseTime, $"leaseTime must be at least {s_minLease.TotalMilliseconds} ms: it is renewed every third of it.");
        }

        // Checked here, before any slot is taken: a longer lease is outside the documented range of
        // DistributedSemaphoreOptions.LeaseSeconds, and one above three timer limits would fail to start its renewal
        // timer only after Redis had granted the slot, leaving it held for the whole lease.
        if (LeaseTime > s_maxLease)
        {
            throw new ArgumentOutOfRangeException(
                nameof(leaseTime), LeaseTime, $"leaseTime must be at most {DistributedSemaphoreOptions.MaxLeaseSeconds} s, the longest wait a timer accepts.");
        }

        _redis = redis;
        _keys = redis.Keys.Semaphore(key, partition);
        _lease = (long)Math.Ceiling(LeaseTime.TotalMilliseconds);
        _bounded = bounded ? "1" : "0";
        _isBounded = bounded;
        _onMessage = (_, message) => OnHandOff(message);
        _channel = _keys.ChannelName;
    }

    /// <summary>The fallback polling interval while waiting.</summary>
    public TimeSpan AcquireSleepDelay { get; }

    /// <summary>How long a slot outlives a holder that stops renewing its lease.</summary>
    public TimeSpan LeaseTime { get; }

    /// <summary>The Redis key of the holders' sorted set (holder id scored by lease expiry).</summary>
    internal RedisKey HoldersKey => _keys.Holders;

    /// <summary>The Redis hash holding the value (field v) and the semaphore's other fields (see <see cref="SemaphoreKeys.Meta"/>).</summary>
    internal RedisKey MetaKey => _keys.Meta;

    /// <summary>The Redis key of the waiters' queue.</summary>
    internal RedisKey QueueKey => _keys.Waiters;

    /// <summary>Waiters of this instance parked between attempts (tests: everyone queued has settled).</summary>
    internal int ParkedWaiters => Volatile.Read(ref _parked);

    /// <summary>Stops listening for releases and ends the waiters; leases still held stay valid until released or expired.</summary>
    private protected override async ValueTask DisposeCoreAsync()
    {
        Task<bool>? subscription;
        lock (_subscriptionGate)
        {
            _stopListening = true;
            subscription = _subscription;
            _subscription = null;
        }

        foreach (var waiter in _waiters)
        {
            waiter.Value.TrySetCanceled(); // wakes it; it then sees the disposal
        }

        if (subscription is not null)
        {
            try
            {
                await _redis.UnsubscribeAsync(_keys.Channel, _onMessage).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is ThrottleStorageException or RedisException or ObjectDisposedException)
            {
                // The connection is gone; so is the subscription.
            }
        }
    }

    /// <summary>Releases the lease of <paramref name="holderId"/> directly (tests: two processes releasing one lease).</summary>
    internal async Task<long> ReleaseHolderAsync(string holderId) =>
        await ReleaseHolderScriptAsync(holderId, CancellationToken.None).ConfigureAwait(false);

    internal override bool IsRecoverableReleaseFailure(Exception exception) =>
        exception is ThrottleStorageException or ObjectDisposedException;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // awaited once, by the base class: the state machine box is reused
    private protected override async ValueTask<SemaphoreLease> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var counter = Interlocked.Increment(ref _counter);
        var id = string.Create(CultureInfo.InvariantCulture, $"{_instanceId}:{counter}"); // one allocation: the id itself
        var started = TimeProvider.GetTimestamp();
        var mode = timeout == TimeSpan.Zero ? s_try : s_wait;

        // Registered on the first refusal only (a free slot costs no signal): a hand-off that named this waiter before
        // then counted a missed wake, and the waiter looks again at once when it finds the count moved since it asked.
        TaskCompletionSource? handed = null;
        long missedBefore = 0;
        var queued = false;
        long answered = 0; // when the last refused attempt was sent: a handed slot's lease runs from no earlier than that
        RedisValue place = default; // the place expiry its last refused attempt answered (names its entry in the queue)
        try
        {
            while (true)
            {
                if (IsDisposed)
                {
                    throw DisposedException();
                }

                // The attempt itself is not cancelled: once sent it may take a slot or a place in the queue, and only
                // its answer says which, so it is always read (bounded by the operation timeout); cancellation applies
                // between attempts and while waiting.
                cancellationToken.ThrowIfCancellationRequested();
                if (handed is null)
                {
                    missedBefore = Interlocked.Read(ref _missedWakes);
                }

                var sent = TimeProvider.GetTimestamp();
                var carried = DeferredRelease.TakeLatest(this);
                RedisValue[] args =
                [
                    id, Value, _lease, _bounded, mode, _channel,
                    mode == s_again ? place : RedisValue.EmptyString,
                    carried is null ? RedisValue.EmptyString : (RedisValue)carried.HolderId,
                ];
                RedisResult answer;
                try
                {
                    answer = (await _redis.EvaluateAsync(RedisScripts.SemaphoreAcquire, _keys.All, args, CancellationToken.None).ConfigureAwait(false))!;
                }
                catch (Exception exception) when (carried is not null)
                {
                    carried.TrySetException(ReleaseFailure(exception));
                    throw;
                }

                // With a release carried, every answer is a table ending with its status.
                carried?.TrySetResult((long)((RedisResult[]?)answer)![^1] == 1);
                if (answer!.Resp2Type == ResultType.Integer)
                {
                    queued = false;
                    return StartLease(id, sent); // granted, nobody woken: the common answer is a bare 1
                }

                var result = (RedisResult[])answer!;
                var status = (long)result[0];
                if (status == 1)
                {
                    WakeHanded(result[1]);
                    queued = false;
                    return StartLease(id, sent);
                }

                if (status == -1)
                {
                    throw new InvalidOperationException(
                        $"Semaphore '{Key}' already exists in Redis with value {(long)result[1]}; this instance was created with value {Value}. " +
                        "Every user of a key must use the same value.");
                }

                if (status == -2)
                {
                    throw new InvalidOperationException(
                        $"Semaphore '{Key}' is in use in Redis by processes of an older Throttle version (key layout 1: '{_keys.Legacy}'). " +
                        "Upgrade every process that uses it, or let its keys expire (one lease time after the last of them stops), before using it from this version.");
                }

                WakeHanded(result[2]);
                queued = mode != s_try;
                mode = s_again;
                answered = sent;
                place = (long)result[3];
                var remaining = timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout - TimeProvider.GetElapsedTime(started);
                if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
                {
                    throw new SemaphoreTimeoutException(Key, timeout);
                }

                if (handed is null)
                {
                    handed = NewSignal();
                    _waiters[counter] = handed;
                    if (IsDisposed)
                    {
                        throw DisposedException(); // disposal may have ended the registered waiters just before
                    }

                    if (Interlocked.Read(ref _missedWakes) != missedBefore)
                    {
                        continue; // a hand-off may have named this waiter before it was registered
                    }
                }

                if (await EnsureSubscribedAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue; // just subscribed: a hand-off in between would have been missed, so look again at once
                }

                await WaitAsync(handed!.Task, NextPoll((long)result[1], remaining), cancellationToken).ConfigureAwait(false);
                if (handed.Task.IsCompletedSuccessfully)
                {
                    // A release handed this waiter the slot and named it; its lease runs from the attempt that last
                    // refreshed the place (the last refused one), and renewal starts from there.
                    queued = false;
                    return StartLease(id, answered);
                }
            }
        }
        finally
        {
            if (handed is not null)
            {
                _waiters.TryRemove(counter, out _);
            }

            if (queued)
            {
                await LeaveAsync(id, place).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Sends the release, or for a disposal defers it (<see cref="DeferredRelease"/>): to this instance's next attempt on
    /// the same thread, or the end of the work item that disposed it, whichever comes first.
    /// </summary>
    private protected override ValueTask<bool> ReleaseLeaseAsync(SemaphoreLease lease, bool inBackground, CancellationToken cancellationToken) =>
        inBackground
            ? new ValueTask<bool>(DeferredRelease.Defer(this, lease.HolderId!).Task)
            : ReleaseNowAsync(lease, cancellationToken);

    /// <summary>Sends a deferred release that no attempt carried (its outcome goes to it), marking it sent once handed to the connection.</summary>
    internal void SendAlone(DeferredRelease deferred)
    {
        ValueTask<long> sending;
        try
        {
            sending = ReleaseHolderScriptAsync(deferred.HolderId, CancellationToken.None); // sent before it returns
        }
        finally
        {
            deferred.MarkSent();
        }

        _ = CompleteAsync(deferred, sending); // never faults

        static async Task CompleteAsync(DeferredRelease deferred, ValueTask<long> sending)
        {
            try
            {
                deferred.TrySetResult(await sending.ConfigureAwait(false) == 1);
            }
            catch (Exception exception)
            {
                deferred.TrySetException(exception);
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // awaited once, by the base class: the state machine box is reused
    private async ValueTask<bool> ReleaseNowAsync(SemaphoreLease lease, CancellationToken cancellationToken) =>
        await ReleaseHolderScriptAsync(lease.HolderId!, cancellationToken).ConfigureAwait(false) == 1;

    private protected override async ValueTask ReleaseUnheldAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_isBounded)
        {
            throw new InvalidOperationException(
                $"Semaphore '{Key}' has no slot held through this instance: releasing would raise its free slots above its value {Value}. Nothing was changed.");
        }

        await ReleaseScriptAsync(RedisScripts.SemaphoreAdd, [Value, _lease, _channel], cancellationToken).ConfigureAwait(false);
    }

    private static TimeSpan PositiveFinite(TimeSpan value, string paramName) =>
        value > TimeSpan.Zero && value != Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive and finite.");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A hand-off message: the space-separated ids of the new holders; wakes those of this instance's waiters.</summary>
    private void OnHandOff(RedisValue message) => Wake(((string?)message).AsSpan());

    /// <summary>A release or leave answer: a bare status, or {status, woken} (see <see cref="WakeHanded"/>). Answers the status.</summary>
    private long WakeAnswered(RedisResult answer)
    {
        if (answer.Resp2Type == ResultType.Integer)
        {
            return (long)answer;
        }

        var result = (RedisResult[])answer!;
        WakeHanded(result[1]);
        return (long)result[0];
    }

    /// <summary>The ids of this instance's waiters a script made holders (its answer's <c>woken</c>): they are not published.</summary>
    private void WakeHanded(RedisResult woken)
    {
        if (!woken.IsNull && (string?)woken is { Length: > 0 } ids)
        {
            Wake(ids.AsSpan());
        }
    }

    private void Wake(ReadOnlySpan<char> ids)
    {
        var rest = ids;
        while (!rest.IsEmpty)
        {
            var space = rest.IndexOf(' ');
            var id = space < 0 ? rest : rest[..space];
            rest = space < 0 ? default : rest[(space + 1)..];
            if (id.Length > _instanceId.Length + 1 && id[_instanceId.Length] == ':' && id.StartsWith(_instanceId, StringComparison.Ordinal)
                && long.TryParse(id[(_instanceId.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var counter))
            {
                if (!_waiters.TryGetValue(counter, out var waiter))
                {
                    // Counted before the second look: a waiter registering meanwhile either is found now or sees the count.
                    Interlocked.Increment(ref _missedWakes);
                    if (!_waiters.TryGetValue(counter, out waiter))
                    {
                        continue;
                    }
                }

                waiter.TrySetResult();
            }
        }
    }

    private TimeSpan NextPoll(long untilEarliestExpiryMs, TimeSpan remaining)
    {
        // The sleep delay, but at least every third of the lease (a waiter's place expires after one lease), and no
        // later than the earliest lease's expiry (a crashed holder's slot is then reclaimed) or the timeout.
        var poll = AcquireSleepDelay < LeaseTime / 3 ? AcquireSleepDelay : LeaseTime / 3;
        if (untilEarliestExpiryMs >= 0)
        {
            var expiry = TimeSpan.FromMilliseconds(untilEarliestExpiryMs + 1);
            poll = expiry < poll ? expiry : poll;
        }

        return remaining != Timeout.InfiniteTimeSpan && remaining < poll ? remaining : poll;
    }

    /// <summary>
    /// Waits for the hand-off signal (completed by a hand-off, cancelled by disposal), the poll delay or cancellation:
    /// one timer and one registration, and the waiter resumes straight from whichever ends the wait.
    /// </summary>
    private async Task WaitAsync(Task signal, TimeSpan delay, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _parked);
        try
        {
            await signal.WaitAsync(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Time to poll.
        }
        catch (TaskCanceledException) when (signal.IsCanceled)
        {
            // Disposed: reported below.
        }
        finally
        {
            Interlocked.Decrement(ref _parked);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (IsDisposed)
        {
            throw DisposedException();
        }
    }

    /// <summary>Subscribes to the release channel if not yet done; true when this call subscribed.</summary>
    private async ValueTask<bool> EnsureSubscribedAsync(CancellationToken cancellationToken)
    {
        Task<bool>? subscription;
        lock (_subscriptionGate)
        {
            if (_subscription is not null || _stopListening)
            {
                subscription = _subscription;
                if (subscription is null || subscription.IsCompletedSuccessfully)
                {
                    return false;
                }
            }
            else
            {
                subscription = _subscription = _redis.SubscribeAsync(_keys.Channel, _onMessage, CancellationToken.None).AsTask();
                TaskObserver.ObserveFailure(subscription); // a waiter may stop waiting for it, or dispose may drop it unawaited
            }
        }

        try
        {
            await subscription.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is ThrottleStorageException or RedisException)
        {
            // Polling still works; try to subscribe again on the next wait.
            lock (_subscriptionGate)
            {
                if (ReferenceEquals(_subscription, subscription))
                {
                    _subscription = null;
                }
            }

            return false;
        }
    }

    private async Task LeaveAsync(string id, RedisValue place)
    {
        try
        {
            var answer = await _redis.EvaluateAsync(
                RedisScripts.SemaphoreLeave, _keys.State, [id, _channel, place.IsNull ? RedisValue.EmptyString : place], CancellationToken.None).ConfigureAwait(false);
            WakeAnswered(answer!);
        }
        catch (Exception exception) when (exception is ThrottleStorageException or RedisException or ObjectDisposedException)
        {
            // The place in the queue (or a slot handed over meanwhile) expires after one lease time anyway.
        }
    }

    /// <summary>
    /// A release script (<see cref="RedisScripts.SemaphoreRelease"/> or <see cref="RedisScripts.SemaphoreAdd"/>). Its failures are <see cref="ThrottleStorageException"/> (or cancellation), never a raw client
    /// exception: the layer maps unreachable and timed-out calls, and this maps what is left (a server error such as
    /// BUSY or OOM, a connection the application disposed). The token cancels only before the call is sent: once sent,
    /// its answer names the waiters of this instance it handed slots to, and they are woken from it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // awaited once, by the base class: the state machine box is reused
    private async ValueTask<long> ReleaseScriptAsync(RedisScript script, RedisValue[] args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var answer = await _redis.EvaluateAsync(script, _keys.State, args, CancellationToken.None).ConfigureAwait(false);
            return WakeAnswered(answer!);
        }
        catch (Exception exception) when (exception is RedisException or ObjectDisposedException)
        {
            throw ReleaseFailure(exception);
        }
    }

    /// <summary>The release script for the lease of <paramref name="holderId"/>: 1 released, 0 it had expired or was gone.</summary>
    private ValueTask<long> ReleaseHolderScriptAsync(string holderId, CancellationToken cancellationToken) =>
        ReleaseScriptAsync(RedisScripts.SemaphoreRelease, [holderId, _channel], cancellationToken);

    /// <summary>A release's failure as its callers see it: the layer's <see cref="ThrottleStorageException"/>, or one wrapping what is left.</summary>
    private Exception ReleaseFailure(Exception exception) =>
        exception is RedisException or ObjectDisposedException
            ? new ThrottleStorageException($"Releasing a slot of semaphore '{Key}' on Redis at {_redis.Endpoint} failed: {exception.Message}", _redis.Endpoint, exception)
            : exception;

    /// <summary>
    /// Starts renewing the lease taken by the attempt sent at <paramref name="confirmedAt"/> (local timestamp). One
    /// one-shot timer per lease serves both its renewals (every third of the lease time from then) and its local
    /// deadline (see <see cref="OnLeaseTimer"/>).
    /// </summary>
    private SemaphoreLease StartLease(string id, long confirmedAt)
    {
        var lease = NewLease(id);
        lease.ConfirmedAt = confirmedAt;
        lease.StartedAt = confirmedAt;
        lease.RenewalTimer = TimeProvider.CreateTimer(
            static state =>
            {
                var lease = (SemaphoreLease)state!;
                ((DistributedSemaphore)lease.Semaphore).OnLeaseTimer(lease);
            },
            lease,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        ArmLeaseTimer(lease); // armed once assigned: the callback re-arms the lease's own timer
        if (lease.IsReleased)
        {
            lease.RenewalTimer.Dispose();
        }

        return lease;
    }

    /// <summary>
    /// The lease's timer: the lease is lost at its local deadline, one lease time after the last confirmed renewal was
    /// sent (no later than its expiry on Redis: without a confirmation by then, Redis unreachable, paused, or the process
    /// stalled); otherwise a renewal is sent when one is due, and the timer is set for the next renewal or the deadline,
    /// whichever comes first (a renewal confirmed meanwhile only makes that a wake-up that re-arms).
    /// </summary>
    private void OnLeaseTimer(SemaphoreLease lease)
    {
        if (lease.IsReleased || lease.IsLost)
        {
            return;
        }

        if (TimeProvider.GetElapsedTime(lease.ConfirmedAt) >= LeaseTime)
        {
            lease.MarkLost();
            return;
        }

        var period = LeaseTime.Ticks / 3;
        var sinceStart = TimeProvider.GetElapsedTime(lease.StartedAt).Ticks;
        if (sinceStart >= period * (lease.Renewals + 1))
        {
            lease.Renewals = sinceStart / period; // a stall skips the renewals it missed, as a periodic timer would
            _ = RenewAsync(lease);
        }

        ArmLeaseTimer(lease);
    }

    private void ArmLeaseTimer(SemaphoreLease lease)
    {
        var toRenewal = TimeSpan.FromTicks((LeaseTime.Ticks / 3) * (lease.Renewals + 1)) - TimeProvider.GetElapsedTime(lease.StartedAt);
        var toDeadline = LeaseTime - TimeProvider.GetElapsedTime(lease.ConfirmedAt);
        var due = toRenewal < toDeadline ? toRenewal : toDeadline;
        try
        {
            lease.RenewalTimer?.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Released meanwhile.
        }
    }

    private async Task RenewAsync(SemaphoreLease lease)
    {
        if (lease.IsReleased || lease.IsLost)
        {
            return;
        }

        var sent = TimeProvider.GetTimestamp();
        try
        {
            var renewed = (long)await _redis.EvaluateAsync(
                RedisScripts.SemaphoreRenew, _keys.State, [lease.HolderId!, _lease], CancellationToken.None).ConfigureAwait(false);
            if (renewed == 1)
            {
                lease.ConfirmedAt = sent; // the lease timer's next wake-up reads it
            }
            else if (!lease.IsReleased)
            {
                lease.MarkLost();
            }
        }
        catch (Exception)
        {
            // Redis unreachable: the lease is lost once a whole lease time has passed since its last confirmation.
            if (TimeProvider.GetElapsedTime(lease.ConfirmedAt) >= LeaseTime)
            {
                lease.MarkLost();
            }
        }
    }
}
