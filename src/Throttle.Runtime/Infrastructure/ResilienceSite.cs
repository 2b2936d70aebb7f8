using System;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Throttle.Internal;
using Throttle.Policies;
using Throttle.Resilience;

namespace Throttle.Infrastructure;

/// <summary>
/// One method's <c>[CircuitBreaker]</c> and/or <c>[Retry]</c> policy, held by generated code in a static field. Each
/// call names its runtime (the one the method's object holds, or null for <see cref="ThrottleRuntime.Current"/>); the
/// site resolves that runtime's Polly pipeline once per runtime (the pattern of <see cref="RateLimitSite"/>), so a call
/// costs a reference comparison plus the pipeline's own work. Inside the pipeline the circuit breaker is outermost and the retry inside it: a call that still
/// fails after its retries counts once for the breaker, and an open circuit rejects the call before any attempt.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ResilienceSite
{
    private PerRuntime<ResiliencePipeline> _resolved;

    /// <summary>
    /// Creates the site; generated code passes options the generator has already checked with the same
    /// <c>Validate()</c>, checked again here. The site keeps copies of them.
    /// </summary>
    /// <param name="id">Unique name of the method (its overload included); also the name of its own circuit breaker.</param>
    /// <param name="circuitBreaker">The <c>[CircuitBreaker]</c> settings, or null.</param>
    /// <param name="retry">The <c>[Retry]</c> settings, or null.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="id"/> is null or empty, both settings are null, or an option is out of range (an
    /// <see cref="ArgumentOutOfRangeException"/>) or blank: <see cref="ArgumentException.ParamName"/> is the option's name
    /// (e.g. <c>FailureThreshold</c>) and the message that of its <see cref="OptionProblem"/>.
    /// </exception>
    public ResilienceSite(string id, CircuitBreakerOptions? circuitBreaker, RetryOptions? retry)
    {
        Id = Guard.Key(id, nameof(id));
        if (circuitBreaker is null && retry is null)
        {
            throw new ArgumentException("A resilience site needs a circuit breaker, a retry, or both.", nameof(circuitBreaker));
        }

        if (circuitBreaker is not null)
        {
            circuitBreaker = circuitBreaker.Copy();
            OptionRules.ThrowFirst(circuitBreaker.Validate());
            CircuitBreaker = circuitBreaker;
            BreakerName = circuitBreaker.Name ?? id;
            BreakDuration = TimeSpan.FromTicks((long)(circuitBreaker.BreakSeconds * TimeSpan.TicksPerSecond));
        }

        if (retry is not null)
        {
            retry = retry.Copy();
            RetryPolicy = RetryPolicy.Create(retry);
            Retry = retry;
        }
    }

    /// <summary>Unique name of the method.</summary>
    public string Id { get; }

    /// <summary>A copy of the <c>[CircuitBreaker]</c> settings, or null.</summary>
    public CircuitBreakerOptions? CircuitBreaker { get; }

    /// <summary>A copy of the <c>[Retry]</c> settings, or null.</summary>
    public RetryOptions? Retry { get; }

    /// <summary>Runs <paramref name="next"/> through the pipeline (breaker outside, retry inside).</summary>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose pipeline (and breaker state) to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; called once per attempt with the pipeline's token.</param>
    /// <param name="cancellationToken">Cancels the pipeline (retry delays included); passed on to <paramref name="next"/>.</param>
    /// <exception cref="Polly.CircuitBreaker.BrokenCircuitException">The circuit is open.</exception>
    /// <returns>The result of the attempt that succeeded, or the last failure.</returns>
    public ValueTask<TResult> InvokeAsync<TState, TResult>(
        ThrottleRuntime? runtime, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken) =>
        PipelineOf(runtime).ExecuteAsync(next, state, cancellationToken);

    /// <summary>Runs <paramref name="next"/> through the pipeline (breaker outside, retry inside).</summary>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose pipeline (and breaker state) to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; called once per attempt with the pipeline's token.</param>
    /// <param name="cancellationToken">Cancels the pipeline (retry delays included); passed on to <paramref name="next"/>.</param>
    /// <exception cref="Polly.CircuitBreaker.BrokenCircuitException">The circuit is open.</exception>
    /// <returns>Completes when an attempt succeeded, or with the last failure.</returns>
    public ValueTask InvokeAsync<TState>(ThrottleRuntime? runtime, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken) =>
        PipelineOf(runtime).ExecuteAsync(next, state, cancellationToken);

    /// <summary>Runs <paramref name="next"/> through the pipeline on the calling thread (synchronous methods; retry delays block).</summary>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose pipeline (and breaker state) to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; called once per attempt with the pipeline's token.</param>
    /// <param name="cancellationToken">Cancels the pipeline (retry delays included); passed on to <paramref name="next"/>.</param>
    /// <exception cref="Polly.CircuitBreaker.BrokenCircuitException">The circuit is open.</exception>
    /// <returns>The result of the attempt that succeeded.</returns>
    public TResult Invoke<TState, TResult>(ThrottleRuntime? runtime, TState state, Func<TState, CancellationToken, TResult> next, CancellationToken cancellationToken) =>
        PipelineOf(runtime).Execute(next, state, cancellationToken);

    /// <summary>Runs <paramref name="next"/> through the pipeline on the calling thread (synchronous methods; retry delays block).</summary>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime whose pipeline (and breaker state) to use; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; called once per attempt with the pipeline's token.</param>
    /// <param name="cancellationToken">Cancels the pipeline (retry delays included); passed on to <paramref name="next"/>.</param>
    /// <exception cref="Polly.CircuitBreaker.BrokenCircuitException">The circuit is open.</exception>
    public void Invoke<TState>(ThrottleRuntime? runtime, TState state, Action<TState, CancellationToken> next, CancellationToken cancellationToken) =>
        PipelineOf(runtime).Execute(next, state, cancellationToken);

    /// <summary>The pipeline of the current runtime: circuit breaker (outer), then retry (inner).</summary>
    internal ResiliencePipeline Pipeline => PipelineOf(null);

    /// <summary>The pipeline of <paramref name="runtime"/> (null: <see cref="ThrottleRuntime.Current"/>).</summary>
    internal ResiliencePipeline PipelineOf(ThrottleRuntime? runtime) =>
        _resolved.Get(runtime, this, static (runtime, site) => runtime.ResolvePipeline(site));

    /// <summary>The name of the breaker this site uses (its attribute's name, else <see cref="Id"/>); null without a breaker.</summary>
    internal string? BreakerName { get; }

    internal TimeSpan BreakDuration { get; }

    internal RetryPolicy? RetryPolicy { get; }
}
