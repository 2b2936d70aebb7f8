using System;
using System.Threading;
using System.Threading.Tasks;
using Polly.CircuitBreaker;

namespace Throttle.Resilience;

/// <summary>
/// One circuit breaker of a <see cref="ThrottleRuntime"/>: the state shared by every <c>[CircuitBreaker]</c> method with
/// the same name (a method without a name has its own, named after the method). Shows its <see cref="State"/> and lets
/// an operator isolate or close it by hand. Get it with <see cref="ThrottleRuntime.GetCircuitBreaker(string)"/>.
/// </summary>
/// <remarks>
/// <para>States and transitions (Polly's <see cref="CircuitState"/> values): <see cref="CircuitState.Closed"/> → <see cref="CircuitState.Open"/>
/// after <see cref="FailureThreshold"/> consecutive handled failures (a success resets the count); while open every call is
/// rejected with <see cref="BrokenCircuitException"/> (its <see cref="BrokenCircuitException.RetryAfter"/> is the rest of the
/// break); after <see cref="BreakDuration"/> → <see cref="CircuitState.HalfOpen"/>, where one trial call at a time goes through
/// (others are rejected); a success closes the circuit, a handled failure opens it for another break. An exception the
/// method does not handle neither counts nor resets, and a half-open trial that ends with one frees the trial slot.
/// <see cref="IsolateAsync"/> holds the circuit open (<see cref="CircuitState.Isolated"/>, calls rejected with
/// <see cref="IsolatedCircuitException"/>) until <see cref="CloseAsync"/>.</para>
/// <para>Safe for concurrent use. A closed breaker's fast path takes no lock and allocates nothing.</para>
/// <para>A shared breaker (<see cref="IsShared"/>) keeps this state in the runtime's Redis storage for every process that
/// uses its name: what this object shows is this process's copy, kept current by the scripts it runs and the
/// announcements of the others (README, "Shared circuit breakers").</para>
/// </remarks>
public sealed partial class CircuitBreakerHandle
{
    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;
    private int _state = (int)CircuitState.Closed;
    private int _consecutiveFailures;
    private long _since;
    private bool _trialInFlight;
    private Exception? _lastFailure;

    internal CircuitBreakerHandle(string name, int failureThreshold, TimeSpan breakDuration, TimeProvider timeProvider)
    {
        Name = name;
        FailureThreshold = failureThreshold;
        BreakDuration = breakDuration;
        _timeProvider = timeProvider;
    }

    /// <summary>The breaker's name: the <c>Name</c> of the attribute, or the method's id for a breaker of its own.</summary>
    public string Name { get; }

    /// <summary>Consecutive handled failures that open the circuit.</summary>
    public int FailureThreshold { get; }

    /// <summary>How long the circuit stays open before a trial call.</summary>
    public TimeSpan BreakDuration { get; }

    /// <summary>The metrics and logs hook of the runtime that created this breaker.</summary>
    internal Telemetry.CircuitBreakerTelemetry? Telemetry { get; init; }

    /// <summary>The state now. An open circuit whose break is over reads (and becomes) <see cref="CircuitState.HalfOpen"/>.</summary>
    public CircuitState State
    {
        get
        {
            var state = (CircuitState)Volatile.Read(ref _state);
            if (state != CircuitState.Open)
            {
                return state;
            }

            lock (_gate)
            {
                if ((CircuitState)_state == CircuitState.Open && BreakIsOver())
                {
                    EnterHalfOpen();
                }

                return (CircuitState)_state;
            }
        }
    }

    /// <summary>Handled failures counted since the last success or close (while closed).</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>The handled failure that last opened the circuit; null once it closes.</summary>
    public Exception? LastFailure
    {
        get
        {
            lock (_gate)
            {
                return _lastFailure;
            }
        }
    }

    /// <summary>Holds the circuit open until <see cref="CloseAsync"/>: every call fails with <see cref="IsolatedCircuitException"/>.</summary>
    /// <returns>A completed task for a breaker of this process; for a shared one, the write to Redis (every process isolates
    /// on its announcement), falling back to this process when Redis is unreachable.</returns>
    public Task IsolateAsync()
    {
        if (Shared is { } shared)
        {
            return shared.SetAsync(isolate: true);
        }

        IsolateLocally();
        return Task.CompletedTask;
    }

    private void IsolateLocally()
    {
        lock (_gate)
        {
            Volatile.Write(ref _state, (int)CircuitState.Isolated);
            _trialInFlight = false;
            Telemetry?.Transitioned(CircuitState.Isolated, _consecutiveFailures, BreakDuration, null);
        }
    }

    /// <summary>Closes the circuit (from any state, isolation included) and resets the failure count.</summary>
    /// <returns>A completed task for a breaker of this process; for a shared one, the write to Redis (every process closes
    /// on its announcement), falling back to this process when Redis is unreachable.</returns>
    public Task CloseAsync()
    {
        if (Shared is { } shared)
        {
            return shared.SetAsync(isolate: false);
        }

        CloseLocally();
        return Task.CompletedTask;
    }

    private void CloseLocally()
    {
        lock (_gate)
        {
            CloseLocked();
        }
    }

    /// <summary>Lets a call through, or returns the exception that rejects it. <paramref name="trial"/> marks a half-open trial.</summary>
    internal Exception? TryEnter(out bool trial)
    {
        trial = false;
        if (Volatile.Read(ref _state) == (int)CircuitState.Closed)
        {
            return null;
        }

        lock (_gate)
        {
            switch ((CircuitState)_state)
            {
                case CircuitState.Closed:
                    return null;
                case CircuitState.Isolated:
                    return RejectionLocked();
                case CircuitState.Open when BreakIsOver():
                    EnterHalfOpen();
                    break;
            }

            // Half-open: one trial at a time. A trial still running after a whole break no longer blocks a new one.
            if ((CircuitState)_state == CircuitState.HalfOpen && (!_trialInFlight || BreakIsOver()))
            {
                _trialInFlight = true;
                _since = _timeProvider.GetTimestamp();
                trial = true;
                return null;
            }

            return RejectionLocked();
        }
    }

    /// <summary>The exception that rejects a call now: the circuit is isolated, or open (or half-open with a trial running).</summary>
    private Exception RejectionLocked()
    {
        if ((CircuitState)_state == CircuitState.Isolated)
        {
            return new IsolatedCircuitException($"The circuit breaker '{Name}' is isolated; calls are rejected until it is closed by hand.");
        }

        var retryAfter = BreakDuration - _timeProvider.GetElapsedTime(_since);
        if (retryAfter < TimeSpan.Zero)
        {
            retryAfter = TimeSpan.Zero;
        }

        var message = $"The circuit breaker '{Name}' is open; calls are rejected for another {retryAfter.TotalSeconds:0.###} s.";

        // A shared breaker opened by another process has no failure of this one to show.
        return _lastFailure is { } failure ? new BrokenCircuitException(message, retryAfter, failure) : new BrokenCircuitException(message, retryAfter);
    }

    /// <summary>Records a call that completed without an exception.</summary>
    internal void OnSuccess()
    {
        // Closed with no failures counted: nothing to reset, no lock.
        if (Volatile.Read(ref _state) == (int)CircuitState.Closed && Volatile.Read(ref _consecutiveFailures) == 0)
        {
            return;
        }

        lock (_gate)
        {
            switch ((CircuitState)_state)
            {
                case CircuitState.Closed:
                    Volatile.Write(ref _consecutiveFailures, 0);
                    break;
                case CircuitState.HalfOpen:
                    CloseLocked();
                    break;
            }

            // Open or isolated: a call admitted before the circuit opened finished late; it changes nothing.
        }
    }

    /// <summary>Records a handled failure.</summary>
    internal void OnFailure(Exception exception)
    {
        lock (_gate)
        {
            switch ((CircuitState)_state)
            {
                case CircuitState.Closed:
                    var failures = _consecutiveFailures + 1;
                    Volatile.Write(ref _consecutiveFailures, failures);
                    if (failures >= FailureThreshold)
                    {
                        OpenLocked(exception);
                    }

                    break;
                case CircuitState.HalfOpen:
                    OpenLocked(exception);
                    break;
            }
        }
    }

    /// <summary>Records an exception the method does not handle: no count, no reset; a half-open trial frees its slot.</summary>
    internal void OnUnhandled(bool trial)
    {
        if (!trial)
        {
            return;
        }

        lock (_gate)
        {
            if ((CircuitState)_state == CircuitState.HalfOpen)
            {
                _trialInFlight = false;
            }
        }
    }

    private bool BreakIsOver() => _timeProvider.GetElapsedTime(_since) >= BreakDuration;

    private void EnterHalfOpen()
    {
        Volatile.Write(ref _state, (int)CircuitState.HalfOpen);
        _trialInFlight = false;
        Telemetry?.Transitioned(CircuitState.HalfOpen, _consecutiveFailures, BreakDuration, null);
    }

    private void OpenLocked(Exception exception)
    {
        _lastFailure = exception;
        _since = _timeProvider.GetTimestamp();
        _trialInFlight = false;
        Volatile.Write(ref _state, (int)CircuitState.Open);
        Telemetry?.Transitioned(CircuitState.Open, _consecutiveFailures, BreakDuration, exception);
    }

    private void CloseLocked()
    {
        if (_state != (int)CircuitState.Closed)
        {
            Telemetry?.Transitioned(CircuitState.Closed, _consecutiveFailures, BreakDuration, null);
        }

        _lastFailure = null;
        _trialInFlight = false;
        Volatile.Write(ref _consecutiveFailures, 0);
        Volatile.Write(ref _state, (int)CircuitState.Closed);
    }
}
