using System;
using System.Threading.Tasks;
using Polly;

namespace Throttle.Resilience;

/// <summary>
/// The Polly strategy one <c>[CircuitBreaker]</c> method adds to its pipeline: it asks the (possibly shared)
/// <see cref="CircuitBreakerHandle"/> for admission and reports the outcome, classified with the method's own predicate.
/// Built on Polly's extensibility API because Polly's ratio-based breaker cannot express "open after N consecutive
/// failures" (see docs/resilience.md).
/// </summary>
internal sealed class CircuitBreakerStrategy(CircuitBreakerHandle breaker, Func<Exception, bool> shouldHandle) : ResilienceStrategy
{
    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        if (breaker.TryEnter(out var trial) is { } rejection)
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

        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            Record(outcome.Exception, trial);
            return new ValueTask<Outcome<TResult>>(outcome);
        }

        return AwaitAndRecord(pending, trial, context.ContinueOnCapturedContext);
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
