using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Polly;
using Polly.Telemetry;
using Throttle.Infrastructure;
using Throttle.Internal;
using Throttle.Resilience;

namespace Throttle;

/// <summary>The circuit breakers and resilience pipelines of <c>[CircuitBreaker]</c> and <c>[Retry]</c> methods.</summary>
public sealed partial class ThrottleRuntime
{
    private static readonly Func<Exception, bool> s_defaultBreakerShouldHandle = static e => e is not OperationCanceledException;

    private readonly ConcurrentDictionary<string, CircuitBreakerHandle> _circuitBreakers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _resiliencePipelines = new(StringComparer.Ordinal);
    private readonly SharedSettingsRegistry<BreakerSettings> _breakerSettings = SharedSettings.ForCircuitBreakers();

    /// <summary>
    /// Every circuit breaker this runtime has created so far, in no particular order. A breaker is created by the first
    /// call of a <c>[CircuitBreaker]</c> method that uses it.
    /// </summary>
    public IReadOnlyCollection<CircuitBreakerHandle> CircuitBreakers => _circuitBreakers.Values.ToArray();

    /// <summary>Finds the circuit breaker named <paramref name="name"/> (the attribute's <c>Name</c>, or a method's id).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public bool TryGetCircuitBreaker(string name, [NotNullWhen(true)] out CircuitBreakerHandle? circuitBreaker)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _circuitBreakers.TryGetValue(name, out circuitBreaker);
    }

    /// <summary>The circuit breaker named <paramref name="name"/> (the attribute's <c>Name</c>, or a method's id).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No breaker has that name yet: no method using it has been called on this runtime.</exception>
    public CircuitBreakerHandle GetCircuitBreaker(string name) =>
        TryGetCircuitBreaker(name, out var breaker)
            ? breaker
            : throw new InvalidOperationException(
                $"No circuit breaker named '{name}' exists on this ThrottleRuntime. A breaker is created by the first call of a [CircuitBreaker] method that uses it; a method's own breaker is named after the method (e.g. \"Namespace.Type.Method\").");

    /// <summary>The pipeline a generated site runs through, built once per site and runtime.</summary>
    internal ResiliencePipeline ResolvePipeline(ResilienceSite site) =>
        _resiliencePipelines.GetOrAdd(site.Id, static (_, state) => state.runtime.CreatePipeline(state.site), (runtime: this, site));

    /// <summary>Builds a pipeline from <paramref name="site"/>; tests pass a random source for the jitter.</summary>
    internal ResiliencePipeline CreatePipeline(ResilienceSite site, Func<double>? nextDouble = null)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = TimeProvider, Name = site.Id };
        if (site.CircuitBreaker is { } options)
        {
            var breaker = ResolveCircuitBreaker(site);
            var shouldHandle = options.ShouldHandle ?? s_defaultBreakerShouldHandle;
            builder.AddStrategy(_ => new CircuitBreakerStrategy(breaker, shouldHandle));
        }

        site.RetryPolicy?.AddTo(builder, nextDouble, Telemetry.ForRetry(site.Id));
        return (Telemetry.PollyOptions is { } polly ? builder.ConfigureTelemetry(polly) : builder).Build();
    }

    private CircuitBreakerHandle ResolveCircuitBreaker(ResilienceSite site)
    {
        // Methods sharing a breaker by name share its threshold and break too; disagreeing settings would make one of them
        // silently wrong. Claimed before the breaker exists, so the breaker always has the settings of the claim that won.
        var options = site.CircuitBreaker!;
        _breakerSettings.Claim(site.BreakerName!, new BreakerSettings(options.FailureThreshold, site.BreakDuration, options.Shared), site.Id);
        return _circuitBreakers.GetOrAdd(
            site.BreakerName!,
            static (name, state) => state.runtime.CreateCircuitBreaker(name, state.options.FailureThreshold, state.site.BreakDuration, state.options.Shared, state.site.Id),
            (runtime: this, site, options));
    }

    /// <summary>
    /// A new breaker with telemetry; when <paramref name="shared"/> and the runtime's storage is on Redis, its state lives
    /// there (<see cref="SharedCircuitBreaker"/>). On an in-memory storage a shared breaker is this process's: the
    /// process is then everyone that can share it.
    /// </summary>
    /// <param name="name">The breaker's name (the shared state's key).</param>
    /// <param name="failureThreshold">Consecutive handled failures that open it.</param>
    /// <param name="breakDuration">How long it stays open.</param>
    /// <param name="shared">Whether its state lives in Redis.</param>
    /// <param name="user">Who creates it (a method's site id, or the registration), named in a settings conflict.</param>
    internal CircuitBreakerHandle CreateCircuitBreaker(string name, int failureThreshold, TimeSpan breakDuration, bool shared, string user)
    {
        var breaker = new CircuitBreakerHandle(name, failureThreshold, breakDuration, TimeProvider)
        {
            Telemetry = Telemetry.ForCircuitBreaker(name),
        };
        if (shared && _redis is { } redis)
        {
            var by = string.Create(CultureInfo.InvariantCulture, $"{user} in process {Environment.ProcessId} on {Environment.MachineName}");
            var store = new SharedCircuitBreakerStore(redis.Layer, name, failureThreshold, breakDuration, by);
            breaker.Shared = new SharedCircuitBreaker(breaker, store, Telemetry, TimeProvider, by);
        }

        return breaker;
    }

    /// <summary>Stops the shared breakers' subscriptions and probes (on disposal, before the storage closes).</summary>
    private async ValueTask DisposeSharedCircuitBreakersAsync()
    {
        foreach (var breaker in _circuitBreakers.Values)
        {
            if (breaker.Shared is { } shared)
            {
                await shared.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
