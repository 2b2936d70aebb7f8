using System;
using System.Threading;
using Polly.CircuitBreaker;

namespace Throttle.Resilience;

/// <summary>The part of a breaker that a shared breaker (<see cref="SharedCircuitBreaker"/>) drives: this process's copy of the shared state.</summary>
public sealed partial class CircuitBreakerHandle
{
    // The newest generation of the shared state applied here (opens, closes and isolations counted in Redis).
    private long _generation = -1;

    /// <summary>Whether the state is shared with other processes through the runtime's Redis storage.</summary>
    public bool IsShared => Shared is not null;

    /// <summary>The Redis side of a shared breaker; null for a breaker of this process.</summary>
    internal SharedCircuitBreaker? Shared { get; set; }

    /// <summary>Closed: a call is admitted on this process's copy alone (the shared breaker's healthy path).</summary>
    internal bool IsClosed => Volatile.Read(ref _state) == (int)CircuitState.Closed;

    /// <summary>
    /// Decides a call of a shared breaker on the local copy: admitted (closed), rejected (open, isolated, or half-open
    /// with a trial running), or — the break being over — to ask Redis for the trial, which this process then marks as
    /// running so its other calls keep failing fast while it asks.
    /// </summary>
    internal SharedEntry DecideShared(out Exception? rejection)
    {
        rejection = null;
        lock (_gate)
        {
            switch ((CircuitState)_state)
            {
                case CircuitState.Closed:
                    return SharedEntry.Admit;
                case CircuitState.Open when BreakIsOver():
                    EnterHalfOpen();
                    break;
                case CircuitState.HalfOpen when !_trialInFlight || BreakIsOver():
                    break;
                default:
                    rejection = RejectionLocked();
                    return SharedEntry.Reject;
            }

            _trialInFlight = true;
            _since = _timeProvider.GetTimestamp();
            return SharedEntry.AskForTrial;
        }
    }

    /// <summary>The exception that rejects a call now.</summary>
    internal Exception Rejection()
    {
        lock (_gate)
        {
            return RejectionLocked();
        }
    }

    /// <summary>
    /// Takes the shared state from a script's answer or an announcement, unless this copy already knows a newer
    /// generation. <paramref name="failure"/> is the failure of this process that the answer is about, if any.
    /// </summary>
    internal void ApplyShared(in SharedBreakerAnswer answer, Exception? failure = null)
    {
        lock (_gate)
        {
            if (answer.Generation < _generation)
            {
                return;
            }

            _generation = answer.Generation;
            switch (answer.Status)
            {
                case SharedBreakerStatus.Closed:
                    if (_state != (int)CircuitState.Closed)
                    {
                        CloseLocked();
                    }

                    Volatile.Write(ref _consecutiveFailures, (int)Math.Min(answer.Value, int.MaxValue));
                    break;
                case SharedBreakerStatus.Counting:
                    if (_state == (int)CircuitState.Closed && _consecutiveFailures == 0)
                    {
                        Volatile.Write(ref _consecutiveFailures, (int)Math.Min(answer.Value, int.MaxValue));
                    }

                    break;
                case SharedBreakerStatus.Open:
                    OpenShared(TimeSpan.FromMilliseconds(answer.Value), failure);
                    break;
                case SharedBreakerStatus.Busy:
                    if (_state != (int)CircuitState.HalfOpen)
                    {
                        EnterHalfOpen();
                    }

                    // Another process's trial: fail fast here until its lease ends (or its outcome is announced).
                    _trialInFlight = true;
                    _since = SinceFor(TimeSpan.FromMilliseconds(answer.Value));
                    break;
                case SharedBreakerStatus.Trial:
                    // DecideShared already marked this process's trial as running.
                    break;
                case SharedBreakerStatus.Isolated:
                    if (_state != (int)CircuitState.Isolated)
                    {
                        Volatile.Write(ref _state, (int)CircuitState.Isolated);
                        _trialInFlight = false;
                        Telemetry?.Transitioned(CircuitState.Isolated, _consecutiveFailures, BreakDuration, null);
                    }

                    break;
            }
        }
    }

    /// <summary>Applies a state set by hand while Redis could not be reached: this process only.</summary>
    internal void SetLocally(bool isolate)
    {
        if (isolate)
        {
            IsolateLocally();
        }
        else
        {
            CloseLocally();
        }
    }

    private void OpenShared(TimeSpan remaining, Exception? failure)
    {
        var wasOpen = _state == (int)CircuitState.Open;
        var failures = _state == (int)CircuitState.HalfOpen ? 1 : FailureThreshold;
        if (failure is not null)
        {
            _lastFailure = failure;
        }

        _since = SinceFor(remaining);
        _trialInFlight = false;
        if (!wasOpen)
        {
            Volatile.Write(ref _state, (int)CircuitState.Open);
            Telemetry?.Transitioned(CircuitState.Open, failures, remaining, failure);
        }

        Volatile.Write(ref _consecutiveFailures, 0);
    }

    // The start of a break (or trial lease) of BreakDuration that has `remaining` left now.
    private long SinceFor(TimeSpan remaining)
    {
        var elapsed = BreakDuration - (remaining > BreakDuration ? BreakDuration : remaining);
        return _timeProvider.GetTimestamp() - (long)(elapsed.TotalSeconds * _timeProvider.TimestampFrequency);
    }
}

/// <summary>What a shared breaker's local copy decides for a call.</summary>
internal enum SharedEntry
{
    /// <summary>Run the call (closed).</summary>
    Admit,

    /// <summary>Reject it with the exception given.</summary>
    Reject,

    /// <summary>The break is over: ask Redis for the half-open trial.</summary>
    AskForTrial,
}
