using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Throttle.Policies;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Redis;

namespace Throttle.Coordination;

/// <summary>
/// Leader election: of the coordinators with one <see cref="CoordinatorOptions.LockName"/> on one storage, at most one
/// leads at a time. On Redis (the runtime's storage is Redis or hybrid) across processes and machines; in memory within
/// one process.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="StartAsync"/> campaigns: a follower tries every <see cref="CoordinatorOptions.RetryIntervalSeconds"/>
/// (sooner when the current lease ends, and at once when the leader releases); a leader renews every
/// <see cref="CoordinatorOptions.TtlSeconds"/> / 2. Acquiring also hands out a <see cref="FencingToken"/> larger than
/// every earlier one, so a resource that remembers the largest token it saw can refuse a stale leader's writes.
/// </para>
/// <para>
/// Safety: the leader counts its lease from the moment it sent the request that set or extended it, and steps down by
/// itself (<see cref="LeadershipLost"/> is cancelled, <see cref="Lost"/> raised) <see cref="CoordinatorOptions.SafetyMarginSeconds"/>
/// before that lease can end on the server. A leader that cannot renew (Redis unreachable, a paused connection) has so
/// stopped leading before another instance can start, as long as the clocks' rates differ by less than
/// <see cref="CoordinatorOptions.ClockDriftFactor"/>. A process paused longer than that (a long GC pause, a suspended VM)
/// can still act late: guard writes with <see cref="FencingToken"/>.
/// </para>
/// </remarks>
public sealed class Coordinator : IAsyncDisposable
{
    private static readonly CancellationToken s_notLeading = new(canceled: true);

    private readonly LeadershipBackend _backend;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _retry;
    private readonly TimeSpan _renewEvery;
    private readonly TimeSpan _renewRetry;
    private readonly long _lifetimeTicks;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _attempting = new(1, 1);
    private readonly Action _onReleased;

    private Term? _term;
    private CancellationTokenSource? _campaign;
    private Task _loop = Task.CompletedTask;
    private TaskCompletionSource _wake = NewSignal();
    private TimeSpan _heldFor;
    private bool _holdOff;
    private bool _subscribed;
    private bool _unreachableLogged;
    private int _disposed;
    private long _renewals;

    /// <summary>
    /// Creates a coordinator on <paramref name="runtime"/>'s storage (Redis when it is Redis or hybrid, on the same
    /// connection and key prefix; else in memory), clock and logger factory. It does nothing until
    /// <see cref="StartAsync"/> or <see cref="TryAcquireAsync"/>.
    /// </summary>
    /// <param name="runtime">The runtime whose storage, clock and logs to use.</param>
    /// <param name="options">The settings; null for the defaults. Copied: later changes have no effect.</param>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range or blank (the parameter names the option).</exception>
    public Coordinator(ThrottleRuntime runtime, CoordinatorOptions? options = null)
        : this(Checked(runtime, options), runtime.TimeProvider, runtime.Options.LoggerFactory, runtime.Storage)
    {
    }

    /// <summary>A coordinator on a given backend (tests).</summary>
    internal Coordinator(LeadershipBackend backend, CoordinatorOptions options, TimeProvider clock, ILoggerFactory? loggerFactory)
    {
        Options = options;
        _backend = backend;
        _clock = clock;
        _logger = (ILogger?)loggerFactory?.CreateLogger<Coordinator>() ?? NullLogger.Instance;
        HolderId = options.HolderId ?? Guid.NewGuid().ToString("N");
        _ttl = TimeSpan.FromSeconds(options.TtlSeconds);
        _retry = TimeSpan.FromSeconds(options.RetryIntervalSeconds);
        _renewEvery = _ttl / 2;
        _renewRetry = _retry < _ttl / 10 ? _retry : _ttl / 10;
        _lifetimeTicks = (long)((options.TtlSeconds - options.SafetyMarginSeconds) * clock.TimestampFrequency);
        _onReleased = Wake;
    }

    private Coordinator(CoordinatorOptions options, TimeProvider clock, ILoggerFactory? loggerFactory, ThrottleStorage storage)
        : this(Backend(storage, options.LockName), options, clock, loggerFactory)
    {
    }

    /// <summary>Raised when this coordinator becomes leader (on the thread that acquired; keep handlers short).</summary>
    public event EventHandler<LeadershipChangedEventArgs>? Acquired;

    /// <summary>Raised when this coordinator stops leading, after <see cref="LeadershipLost"/> was cancelled.</summary>
    public event EventHandler<LeadershipChangedEventArgs>? Lost;

    /// <summary>The settings in force (a copy of those given).</summary>
    public CoordinatorOptions Options { get; }

    /// <summary>The leadership's name.</summary>
    public string LockName => Options.LockName;

    /// <summary>This instance's id (<see cref="CoordinatorOptions.HolderId"/>, or a random one).</summary>
    public string HolderId { get; }

    /// <summary>Whether this coordinator leads now: it holds the lease, and its local deadline has not passed.</summary>
    public bool IsLeader => CurrentTerm() is not null;

    /// <summary>
    /// The fencing token of the current term while leading, else 0. Every term has a larger token than every earlier
    /// term of this leadership (on Redis: across processes, restarts and failovers; see the README).
    /// </summary>
    public long FencingToken => CurrentTerm()?.Token ?? 0;

    /// <summary>
    /// Cancelled when the current term ends (released, superseded, or not renewed in time); an already cancelled token
    /// when not leading. Pass it to leader-only work.
    /// </summary>
    public CancellationToken LeadershipLost => CurrentTerm()?.Lost.Token ?? s_notLeading;

    /// <summary>
    /// The last release that deleted a lease: its term's token and the server's clock when it did, in µs (the
    /// multi-process tests' witness of when that term ended at the latest).
    /// </summary>
    internal (long Token, long ServerMicros) LastRelease { get; private set; }

    /// <summary>Renewals that went through, for tests.</summary>
    internal long Renewals => Interlocked.Read(ref _renewals);

    /// <summary>
    /// One attempt to become leader (the spec's <c>acquire_leadership</c>): takes the lease if nobody holds it. While
    /// leading, the lease is renewed in the background, with or without <see cref="StartAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the answer (the attempt may still have been applied).</param>
    /// <returns>Whether this coordinator leads now.</returns>
    /// <exception cref="ThrottleStorageException">Redis could not be reached.</exception>
    /// <exception cref="ObjectDisposedException">The coordinator was disposed.</exception>
    public async ValueTask<bool> TryAcquireAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return await AttemptAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives the leadership up (the spec's <c>release_leadership</c>): steps down first (<see cref="LeadershipLost"/>
    /// is cancelled), then deletes the lease if it is still this term's and wakes the followers. A campaigning
    /// coordinator waits one retry interval before trying again, so another instance can take over. Not leading: a
    /// no-op that answers false.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the storage; the lease then ends by its TTL.</param>
    /// <returns>Whether a lease was deleted. False also when the storage could not be reached (logged): the lease then ends by its TTL.</returns>
    public async ValueTask<bool> ReleaseAsync(CancellationToken cancellationToken = default)
    {
        await _attempting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Term? term;
            lock (_gate)
            {
                term = _term;
            }

            if (term is null)
            {
                return false;
            }

            // Before the term ends: the campaign, woken by the end, must wait a retry interval rather than take it back.
            _holdOff = true;
            if (!End(term, LeadershipLossReason.Released))
            {
                return false;
            }
            try
            {
                var answer = await _backend.ReleaseAsync(HolderId, term.Token, cancellationToken).ConfigureAwait(false);
                if (answer.Done)
                {
                    LastRelease = (term.Token, answer.ServerMicros);
                }

                return answer.Done;
            }
            catch (ThrottleStorageException exception)
            {
                CoordinatorLog.StorageFailed(_logger, exception, LockName, "release", HolderId);
                return false;
            }
        }
        finally
        {
            _attempting.Release();
        }
    }

    /// <summary>
    /// Starts campaigning: makes a first attempt before returning (a storage failure or a server error is logged, not
    /// thrown), then keeps trying in the background while a follower. Calling it again while started does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the first attempt.</param>
    /// <returns>A task that completes once the first attempt has been made.</returns>
    /// <exception cref="ObjectDisposedException">The coordinator was disposed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        CancellationTokenSource campaign;
        lock (_gate)
        {
            if (_campaign is not null)
            {
                return;
            }

            campaign = _campaign = new CancellationTokenSource();
        }

        try
        {
            await SubscribeAsync(cancellationToken).ConfigureAwait(false);
            await TryOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _campaign = null;
            }

            campaign.Dispose();
            throw;
        }

        _loop = CampaignAsync(campaign.Token);
    }

    /// <summary>Stops campaigning and gives the leadership up if held (see <see cref="ReleaseAsync"/>).</summary>
    /// <param name="cancellationToken">Bounds the wait for the campaign to end and for the release.</param>
    /// <returns>A task that completes when stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        CancellationTokenSource? campaign;
        lock (_gate)
        {
            campaign = _campaign;
            _campaign = null;
        }

        if (campaign is not null)
        {
            await campaign.CancelAsync().ConfigureAwait(false);
            try
            {
                await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                campaign.Dispose();
            }
        }

        await ReleaseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops (see <see cref="StopAsync"/>) and unsubscribes; the coordinator cannot be used afterwards.</summary>
    /// <returns>A task that completes when disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_subscribed)
        {
            try
            {
                await _backend.UnsubscribeAsync(_onReleased).ConfigureAwait(false);
            }
            catch (ThrottleStorageException)
            {
                // The connection is going away or gone: nothing left to unsubscribe from.
            }
        }
    }

    private static CoordinatorOptions Checked(ThrottleRuntime runtime, CoordinatorOptions? options)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var copy = (options ?? new CoordinatorOptions()).Copy();
        OptionRules.ThrowFirst(copy.Validate());
        return copy;
    }

    private static LeadershipBackend Backend(ThrottleStorage storage, string lockName) => storage switch
    {
        RedisStorage redis => new RedisLeadershipBackend(redis.Layer, lockName),
        HybridStorage hybrid => new RedisLeadershipBackend(hybrid.Redis.Layer, lockName),
        _ => new MemoryLeadershipBackend(storage, lockName),
    };

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Term? CurrentTerm()
    {
        var term = Volatile.Read(ref _term);
        return term is not null && !term.Ended && _clock.GetTimestamp() < Volatile.Read(ref term.ValidUntil) ? term : null;
    }

    private async ValueTask<bool> AttemptAsync(CancellationToken cancellationToken)
    {
        await _attempting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (CurrentTerm() is not null)
            {
                return true;
            }

            if (Volatile.Read(ref _term) is { Ended: false } expired)
            {
                // Ran out by the clock before its deadline timer fired: it ends now, as the timer would have ended it
                // (Lost raised), before a new term can begin.
                End(expired, LeadershipLossReason.Expired);
            }

            var sent = _clock.GetTimestamp();
            var attempt = await _backend.TryAcquireAsync(HolderId, _ttl, cancellationToken).ConfigureAwait(false);
            if (!attempt.Acquired)
            {
                _heldFor = attempt.HeldFor;
                return false;
            }

            var term = new Term(attempt.Token, attempt.ServerMicros, sent, sent + _lifetimeTicks);
            lock (_gate)
            {
                _term = term;
                term.Deadline = _clock.CreateTimer(_ => OnDeadline(term), null, Remaining(term), Timeout.InfiniteTimeSpan);
            }

            CoordinatorLog.Acquired(_logger, LockName, HolderId, term.Token);
            Raise(Acquired, nameof(Acquired), new LeadershipChangedEventArgs(LockName, term.Token, null, term.ServerStart, 0));
            _ = RenewAsync(term);
            return CurrentTerm() == term;
        }
        finally
        {
            _attempting.Release();
        }
    }

    private async Task TryOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await AttemptAsync(cancellationToken).ConfigureAwait(false);
            _unreachableLogged = false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An unreachable storage, or an error of the server's own (BUSY, OOM, READONLY after a failover): the
            // campaign goes on at its next attempt rather than end without a word.
            if (!_unreachableLogged)
            {
                _unreachableLogged = true;
                CoordinatorLog.StorageFailed(_logger, exception, LockName, "acquire", HolderId);
            }
        }
    }

    private async Task CampaignAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (Volatile.Read(ref _term) is { Ended: false } term)
            {
                // Leading (or past the deadline with the timer about to fire): wait for the term to end.
                await WaitAsync(term.EndedSignal.Task, Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
                continue;
            }

            var wake = _wake;
            TimeSpan wait;
            if (_holdOff)
            {
                // After a release: the wake-up this coordinator's own step-down signalled must not end the wait early.
                _holdOff = false;
                wake = NewSignal();
                Volatile.Write(ref _wake, wake);
                wait = _retry;
            }
            else
            {
                try
                {
                    await TryOnceAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }

                if (IsLeader)
                {
                    continue;
                }

                if (!_subscribed)
                {
                    await SubscribeAsync(stop).ConfigureAwait(false);
                }

                // Try again when the current lease ends if that is sooner than the retry interval.
                var heldFor = _heldFor + TimeSpan.FromMilliseconds(1);
                wait = heldFor < _retry ? heldFor : _retry;
            }

            await WaitAsync(wake.Task, wait, stop).ConfigureAwait(false);
            if (wake.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _wake, NewSignal(), wake);
            }
        }
    }

    private async Task RenewAsync(Term term)
    {
        var wait = _renewEvery;
        while (true)
        {
            try
            {
                await Task.Delay(wait, _clock, term.Lost.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var sent = _clock.GetTimestamp();
            LeaseAnswer answer;
            try
            {
                answer = await _backend.RenewAsync(HolderId, term.Token, _ttl, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // An unreachable storage, or an error of the server's own (BUSY, OOM, a script cache just flushed):
                // keep trying until the deadline, which steps down if none gets through. The loop never ends on a
                // failure while the term lives (it would end the term's renewals without a word).
                CoordinatorLog.StorageFailed(_logger, exception, LockName, "renew", HolderId);
                wait = _renewRetry;
                continue;
            }

            if (!answer.Done)
            {
                End(term, LeadershipLossReason.Superseded);
                return;
            }

            lock (_gate)
            {
                if (term.Ended)
                {
                    return;
                }

                term.LastSent = sent;
                term.LastServerMicros = answer.ServerMicros;
                Volatile.Write(ref term.ValidUntil, sent + _lifetimeTicks);
                term.Deadline?.Change(Remaining(term), Timeout.InfiniteTimeSpan);
            }

            Interlocked.Increment(ref _renewals);

            wait = _renewEvery - _clock.GetElapsedTime(sent);
            if (wait < TimeSpan.Zero)
            {
                wait = TimeSpan.Zero;
            }
        }
    }

    private void OnDeadline(Term term)
    {
        bool due;
        lock (_gate)
        {
            due = _clock.GetTimestamp() >= term.ValidUntil;
            if (!due && !term.Ended)
            {
                // A timer may fire a little before the timestamp it was set for: set it again for the rest.
                var rest = Remaining(term);
                term.Deadline?.Change(rest > TimeSpan.FromMilliseconds(1) ? rest : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
            }
        }

        if (due)
        {
            End(term, LeadershipLossReason.Expired);
        }
    }

    /// <summary>Ends <paramref name="term"/> once: cancels its token, logs, raises <see cref="Lost"/>, wakes the campaign.</summary>
    private bool End(Term term, LeadershipLossReason reason)
    {
        long endMicros;
        lock (_gate)
        {
            if (term.Ended)
            {
                return false;
            }

            term.Ended = true;
            if (ReferenceEquals(_term, term))
            {
                _term = null;
            }

            term.Deadline?.Dispose();
            endMicros = term.LastServerMicros + (long)(_clock.GetElapsedTime(term.LastSent).Ticks / 10.0);
        }

        try
        {
            term.Lost.Cancel();
        }
        catch (AggregateException exception)
        {
            CoordinatorLog.HandlerFailed(_logger, exception, LockName, nameof(LeadershipLost));
        }

        if (reason == LeadershipLossReason.Released)
        {
            CoordinatorLog.Released(_logger, LockName, HolderId, term.Token);
        }
        else
        {
            CoordinatorLog.Lost(_logger, LockName, HolderId, term.Token, reason);
        }

        Raise(Lost, nameof(Lost), new LeadershipChangedEventArgs(LockName, term.Token, reason, term.ServerStart, endMicros));
        term.EndedSignal.TrySetResult();
        Wake();
        return true;
    }

    private void Raise(EventHandler<LeadershipChangedEventArgs>? handler, string name, LeadershipChangedEventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception exception)
        {
            CoordinatorLog.HandlerFailed(_logger, exception, LockName, name);
        }
    }

    private async ValueTask SubscribeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _backend.SubscribeAsync(_onReleased, cancellationToken).ConfigureAwait(false);
            _subscribed = true;
        }
        catch (ThrottleStorageException exception)
        {
            // Retried on the next attempt; until then the follower polls every retry interval.
            if (!_unreachableLogged)
            {
                _unreachableLogged = true;
                CoordinatorLog.StorageFailed(_logger, exception, LockName, "subscribe", HolderId);
            }
        }
    }

    private void Wake() => _wake.TrySetResult();

    private async Task WaitAsync(Task wake, TimeSpan wait, CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var delay = Task.Delay(wait, _clock, linked.Token);
        await Task.WhenAny(delay, wake).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
    }

    private TimeSpan Remaining(Term term)
    {
        var left = _clock.GetElapsedTime(_clock.GetTimestamp(), term.ValidUntil);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>One term of leadership: from an acquire to its end.</summary>
    private sealed class Term(long token, long serverStart, long sent, long validUntil)
    {
        public long ValidUntil = validUntil;

        public long Token { get; } = token;

        public long ServerStart { get; } = serverStart;

        /// <summary>When the request that set or last extended the lease was sent (local timestamp).</summary>
        public long LastSent { get; set; } = sent;

        /// <summary>The server's clock when it applied that request, in µs.</summary>
        public long LastServerMicros { get; set; } = serverStart;

        public CancellationTokenSource Lost { get; } = new();

        public TaskCompletionSource EndedSignal { get; } = NewSignal();

        public ITimer? Deadline { get; set; }

        public bool Ended { get; set; }
    }
}
