using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Internal;
using Throttle.Storage;
using Throttle.Telemetry;

namespace Throttle.Resilience;

/// <summary>
/// Keeps a <see cref="CircuitBreakerHandle"/> in step with the breaker's state in Redis, shared by every process using
/// its name. The handle is this process's copy: a closed breaker admits calls on it alone (no round trip), an open one
/// rejects on it until its break ends. Redis is written only when something changes: a handled failure, the first
/// success after one, the half-open trial (asked for, and its outcome), a state set by hand. Changes are announced on a
/// sharded pub/sub channel, so other processes open, close and count on the announcement, not on their own failures.
/// </summary>
/// <remarks>
/// When Redis cannot be reached (a call fails with <see cref="ThrottleStorageException"/>), the breaker falls back to
/// its local copy, working as a breaker of this process (logged once per outage, counted by
/// <c>throttle.circuit_breaker.redis_fallbacks</c>), and probes Redis every <see cref="RedisProbeInterval"/>; once
/// Redis answers it takes the shared state again. Writes made during the outage are not replayed.
/// </remarks>
internal sealed class SharedCircuitBreaker : IAsyncDisposable
{
    /// <summary>How often a breaker that fell back to local state checks whether Redis answers again.</summary>
    public static readonly TimeSpan RedisProbeInterval = TimeSpan.FromSeconds(5);

    private readonly CircuitBreakerHandle _handle;
    private readonly SharedCircuitBreakerStore _store;
    private readonly ThrottleTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly string _user;
    private readonly Action<RedisChannel, RedisValue> _onAnnouncement;
    private readonly object _gate = new();
    private Task? _joining;
    private volatile bool _joined;
    private volatile bool _subscribed;
    private volatile bool _fallenBack;
    private volatile InvalidOperationException? _conflict;
    private ITimer? _probe;
    private int _probing;
    private bool _disposed;

    public SharedCircuitBreaker(CircuitBreakerHandle handle, SharedCircuitBreakerStore store, ThrottleTelemetry telemetry, TimeProvider timeProvider, string user)
    {
        _handle = handle;
        _store = store;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
        _user = user;
        _onAnnouncement = OnAnnouncement;
    }

    /// <summary>The Redis side, for tests.</summary>
    internal SharedCircuitBreakerStore Store => _store;

    /// <summary>Whether the breaker decides on local state because Redis could not be reached.</summary>
    public bool IsFallenBack => _fallenBack;

    /// <summary>
    /// Whether a call is admitted on the local copy alone, with no Redis call: joined, closed, no settings conflict, or
    /// fallen back (the local breaker decides).
    /// </summary>
    public bool AdmitsLocally => (_joined && _conflict is null && _handle.IsClosed) || _fallenBack;

    /// <summary>Whether the outcome of a call must be written: a success after failures, a trial's outcome, a failure.</summary>
    public bool MustRecord(Exception? exception, bool handled, bool trial) =>
        exception is null ? trial || _handle.ConsecutiveFailures != 0 : handled || trial;

    /// <summary>Lets a call through (as the half-open trial when <c>Trial</c>), or returns the exception that rejects it.</summary>
    public async ValueTask<(Exception? Rejection, bool Trial)> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_joined && !_fallenBack)
        {
            await JoinOnceAsync().ConfigureAwait(false);
        }

        if (_conflict is { } conflict)
        {
            return (conflict, false);
        }

        if (_fallenBack)
        {
            return (_handle.TryEnter(out var localTrial), localTrial);
        }

        switch (_handle.DecideShared(out var rejection))
        {
            case SharedEntry.Admit:
                return (null, false);
            case SharedEntry.Reject:
                return (rejection, false);
        }

        SharedBreakerAnswer answer;
        try
        {
            answer = await _store.TrialAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            // The local copy already marked this call as the trial: it runs as the trial of this process.
            FallBack(exception);
            return (null, true);
        }
        catch
        {
            _handle.OnUnhandled(trial: true);
            throw;
        }

        if (!Apply(answer, null))
        {
            _handle.OnUnhandled(trial: true);
            return (_conflict, false);
        }

        return answer.Status switch
        {
            SharedBreakerStatus.Trial => (null, true),
            SharedBreakerStatus.Closed => (null, false),
            _ => (_handle.Rejection(), false),
        };
    }

    /// <summary>Writes the outcome of a call for which <see cref="MustRecord"/> said so.</summary>
    public async ValueTask RecordAsync(Exception? exception, bool handled, bool trial)
    {
        if (!_fallenBack && _conflict is null)
        {
            try
            {
                SharedBreakerAnswer answer;
                if (exception is null)
                {
                    answer = await _store.SuccessAsync(trial, CancellationToken.None).ConfigureAwait(false);
                }
                else if (handled)
                {
                    answer = await _store.FailureAsync(trial, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    _handle.OnUnhandled(trial);
                    answer = await _store.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                }

                Apply(answer, handled ? exception : null);
                return;
            }
            catch (Exception failure) when (IsUnreachable(failure))
            {
                FallBack(failure);
            }
        }

        RecordLocally(exception, handled, trial);
    }

    /// <summary>Isolates or closes the circuit for every process (this process only while Redis is unreachable).</summary>
    public async Task SetAsync(bool isolate)
    {
        if (!_joined && !_fallenBack)
        {
            await JoinOnceAsync().ConfigureAwait(false);
        }

        if (_conflict is { } conflict)
        {
            throw conflict;
        }

        if (!_fallenBack)
        {
            try
            {
                Apply(await _store.SetAsync(isolate, CancellationToken.None).ConfigureAwait(false), null);
                return;
            }
            catch (Exception failure) when (IsUnreachable(failure))
            {
                FallBack(failure);
            }
        }

        _handle.SetLocally(isolate);
    }

    public async ValueTask DisposeAsync()
    {
        ITimer? probe;
        lock (_gate)
        {
            _disposed = true;
            probe = _probe;
            _probe = null;
        }

        if (probe is not null)
        {
            await probe.DisposeAsync().ConfigureAwait(false);
        }

        if (_subscribed)
        {
            try
            {
                await _store.UnsubscribeAsync(_onAnnouncement).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsUnreachable(exception))
            {
                // The connection is gone or closing: so is the subscription.
            }
        }
    }

    private void RecordLocally(Exception? exception, bool handled, bool trial)
    {
        if (exception is null)
        {
            _handle.OnSuccess();
        }
        else if (handled)
        {
            _handle.OnFailure(exception);
        }
        else
        {
            _handle.OnUnhandled(trial);
        }
    }

    private Task JoinOnceAsync()
    {
        var joining = Volatile.Read(ref _joining);
        if (joining is null)
        {
            Interlocked.CompareExchange(ref _joining, JoinAsync(probe: false), null);
            joining = _joining;
        }

        return joining;
    }

    /// <summary>Subscribes (once), then reads the state and checks the settings; falls back when Redis is unreachable.</summary>
    /// <returns>Whether Redis answered.</returns>
    private async Task<bool> JoinAsync(bool probe)
    {
        try
        {
            // Subscribed before reading, so no announcement falls between the read and the subscription.
            if (!_subscribed)
            {
                await _store.SubscribeAsync(_onAnnouncement, CancellationToken.None).ConfigureAwait(false);
                _subscribed = true;
            }

            var answer = await _store.JoinAsync(CancellationToken.None).ConfigureAwait(false);
            Apply(answer, null);
            _joined = true;
            return true;
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            if (!probe)
            {
                FallBack(exception);
            }

            return false;
        }
    }

    /// <summary>Applies an answer; records a settings conflict instead (returning false).</summary>
    private bool Apply(in SharedBreakerAnswer answer, Exception? failure)
    {
        if (answer.Status != SharedBreakerStatus.Conflict)
        {
            _handle.ApplyShared(answer, failure);
            return true;
        }

        if (_conflict is null)
        {
            var conflict = new InvalidOperationException(ConflictMessage(answer.Conflict));
            _conflict = conflict;
            _telemetry.CircuitBreakerLogger.SharedCircuitBreakerSettingsDiffer(conflict.Message);
        }

        return false;
    }

    private string ConflictMessage((string Threshold, string BreakMs, string By) stored)
    {
        var storedSeconds = double.TryParse(stored.BreakMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            ? (ms / 1000).ToString("R", CultureInfo.InvariantCulture)
            : stored.BreakMs;
        var mySeconds = (_store.BreakMilliseconds / 1000.0).ToString("R", CultureInfo.InvariantCulture);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"The shared circuit breaker '{_handle.Name}' is stored in Redis at {_store.Endpoint} with FailureThreshold = {stored.Threshold}, BreakSeconds = {storedSeconds} (first used by {stored.By}), but {_user} asks for FailureThreshold = {_handle.FailureThreshold}, BreakSeconds = {mySeconds}. Processes sharing a breaker share its state, so give them the same settings, or give them different names.");
    }

    private void OnAnnouncement(RedisChannel channel, RedisValue message)
    {
        if (SharedBreakerAnswer.ParseAnnouncement(message) is { } announcement && _conflict is null && !_fallenBack)
        {
            _handle.ApplyShared(announcement);
        }
    }

    private void FallBack(Exception exception)
    {
        lock (_gate)
        {
            if (_fallenBack || _disposed)
            {
                return;
            }

            _fallenBack = true;
            _probe = _timeProvider.CreateTimer(static state => ((SharedCircuitBreaker)state!).Probe(), this, RedisProbeInterval, RedisProbeInterval);
        }

        _telemetry.CircuitBreakerLogger.SharedCircuitBreakerFellBack(_handle.Name, _store.Endpoint, exception);
        if (_telemetry.CircuitBreakerRedisFallbacks.Enabled)
        {
            _telemetry.CircuitBreakerRedisFallbacks.Add(1, new TagList { { TelemetryNames.CircuitBreakerTag, _handle.Name } });
        }
    }

    private void Probe()
    {
        if (Interlocked.Exchange(ref _probing, 1) != 0)
        {
            return;
        }

        TaskObserver.ObserveFailure(ProbeAsync());
    }

    private async Task ProbeAsync()
    {
        try
        {
            if (!await JoinAsync(probe: true).ConfigureAwait(false))
            {
                return;
            }

            ITimer? probe;
            lock (_gate)
            {
                _fallenBack = false;
                probe = _probe;
                _probe = null;
            }

            if (probe is not null)
            {
                await probe.DisposeAsync().ConfigureAwait(false);
            }

            _telemetry.CircuitBreakerLogger.SharedCircuitBreakerRecovered(_handle.Name, _store.Endpoint);
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    private static bool IsUnreachable(Exception exception) => exception is ThrottleStorageException or ObjectDisposedException;
}
