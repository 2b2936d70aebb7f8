using System;
using System.Threading.Tasks;
using Polly;

namespace Throttle.Resilience;

/// <summary>
/// The Polly strategy one <c>[CircuitBreaker]</c> method adds to its pipeline: it asks the (possibly shared)
/// <see cref="CircuitBreakerHandle"/> for admission and reports the outcome, classified with the method's own predicate.
/// A shared breaker (<see cref="SharedCircuitBreaker"/>) admits a closed circuit's calls the same way, with no Redis call,
/// and goes through Redis only for what changes the shared state. Built on Polly's extensibility API because Polly's ratio-based breaker cannot express "open after N consecutive
/// failures" (see docs/resilience.md).
/// </summary>
internal sealed class CircuitBreakerStrategy(CircuitBreakerHandle breaker, Func<Exception, bool> shouldHandle) : ResilienceStrategy
{
    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        var shared = breaker.Shared;
        if (shared is not null)
        {
            // A shared breaker that is closed (or fell back to local state) decides here, without Redis, like a local one.
            if (!shared.AdmitsLocally)
            {
                return ExecuteSharedAsync(shared, callback, context, state);
            }

            if (shared.IsFallenBack)
            {
                shared = null;
            }
        }

        var trial = false;
        if (shared is null && breaker.TryEnter(out trial) is { } rejection)
        {
            breaker.Telemetry?.Rejected();
            return Outcome.FromExceptionAsValueTask<TResult>(rejection);
        }

        ValueTask<Outcome<TResult>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception exception)
        {
            // Polly's callbacks return outcomes rather than throw; this keeps a trial slot from leaking if one ever does.
            pending = Outcome.FromExceptionAsValueTask<TResult>(exception);
        }

        if (shared is not null)
        {
            return AwaitAndRecordShared(shared, pending, trial: false, context.ContinueOnCapturedContext);
        }

        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            Record(outcome.Exception, trial);
            return new ValueTask<Outcome<TResult>>(outcome);
        }

        return AwaitAndRecord(pending, trial, context.ContinueOnCapturedContext);
    }

    private async ValueTask<Outcome<TResult>> ExecuteSharedAsync<TResult, TState>(
        SharedCircuitBreaker shared, Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        var (rejection, trial) = await shared.EnterAsync(context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        if (rejection is not null)
        {
            if (rejection is not InvalidOperationException)
            {
                breaker.Telemetry?.Rejected();
            }

            return Outcome.FromException<TResult>(rejection);
        }

        ValueTask<Outcome<TResult>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception exception)
        {
            pending = Outcome.FromExceptionAsValueTask<TResult>(exception);
        }

        return await AwaitAndRecordShared(shared, pending, trial, context.ContinueOnCapturedContext).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    private ValueTask<Outcome<TResult>> AwaitAndRecordShared<TResult>(
        SharedCircuitBreaker shared, ValueTask<Outcome<TResult>> pending, bool trial, bool continueOnCapturedContext)
    {
        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            var handled = outcome.Exception is { } exception && shouldHandle(exception);

            // The healthy path: a success with nothing to reset writes nothing.
            return shared.MustRecord(outcome.Exception, handled, trial)
                ? RecordSharedAsync(shared, outcome, handled, trial, continueOnCapturedContext)
                : new ValueTask<Outcome<TResult>>(outcome);
        }

        return AwaitAndRecordSharedSlow(shared, pending, trial, continueOnCapturedContext);
    }

    private async ValueTask<Outcome<TResult>> AwaitAndRecordSharedSlow<TResult>(
        SharedCircuitBreaker shared, ValueTask<Outcome<TResult>> pending, bool trial, bool continueOnCapturedContext)
    {
        Outcome<TResult> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(continueOnCapturedContext);
        }
        catch (Exception exception)
        {
            outcome = Outcome.FromException<TResult>(exception);
        }

        var handled = outcome.Exception is { } failure && shouldHandle(failure);
        return shared.MustRecord(outcome.Exception, handled, trial)
            ? await RecordSharedAsync(shared, outcome, handled, trial, continueOnCapturedContext).ConfigureAwait(continueOnCapturedContext)
            : outcome;
    }

    private static async ValueTask<Outcome<TResult>> RecordSharedAsync<TResult>(
        SharedCircuitBreaker shared, Outcome<TResult> outcome, bool handled, bool trial, bool continueOnCapturedContext)
    {
        await shared.RecordAsync(outcome.Exception, handled, trial).ConfigureAwait(continueOnCapturedContext);
        return outcome;
    }

    private async ValueTask<Outcome<TResult>> AwaitAndRecord<TResult>(ValueTask<Outcome<TResult>> pending, bool trial, bool continueOnCapturedContext)
    {
        Outcome<TResult> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(continueOnCapturedContext);
        }
        catch (Exception exception)
        {
            outcome = Outcome.FromException<TResult>(exception);
        }

        Record(outcome.Exception, trial);
        return outcome;
    }

    private void Record(Exception? exception, bool trial)
    {
        if (exception is null)
        {
            breaker.OnSuccess();
        }
        else if (shouldHandle(exception))
        {
            breaker.OnFailure(exception);
        }
        else
        {
            breaker.OnUnhandled(trial);
        }
    }
}
