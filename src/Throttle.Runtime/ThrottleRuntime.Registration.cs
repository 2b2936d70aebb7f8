using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using Throttle.Internal;
using Throttle.Limiters;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Resilience;
using Throttle.Semaphores;
using Throttle.Storage;

namespace Throttle;

/// <summary>
/// Named limiters, circuit breakers and semaphores registered from settings before first use (what a host's
/// <c>AddThrottle</c> configuration does). The settings are the attributes' own option types, checked by their
/// <c>Validate</c>; the options that belong to one method (how long its calls wait, which exceptions it counts) are
/// refused rather than ignored. A method that uses a registered name with other settings fails with a message naming both.
/// </summary>
public sealed partial class ThrottleRuntime
{
    private readonly ConcurrentDictionary<string, ThrottleStorage> _namedStorages = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers <paramref name="storage"/> under <paramref name="name"/>, so that <c>[RateLimit(Storage = name)]</c>
    /// methods (and limiters registered with <see cref="RateLimitOptions.Storage"/>) keep their state there instead of
    /// in <see cref="Storage"/>. The runtime does not own it: dispose it after the runtime.
    /// </summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="storage">The storage; it must run on this runtime's <see cref="TimeProvider"/>, like <see cref="Storage"/>.</param>
    /// <returns>This runtime.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or already registered; or
    /// <paramref name="storage"/> runs on another clock than this runtime.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="storage"/> is null.</exception>
    public ThrottleRuntime RegisterStorage(string name, ThrottleStorage storage)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(storage);

        // The rule of the runtime's own storage (ThrottleRuntimeOptions.Storage): one clock for everything it runs.
        if (!ReferenceEquals(storage.TimeProvider, TimeProvider))
        {
            throw new ArgumentException(
                $"The storage '{name}' runs on another clock than this ThrottleRuntime: create it with the runtime's TimeProvider.", nameof(storage));
        }

        if (!_namedStorages.TryAdd(name, storage))
        {
            throw new ArgumentException($"A storage named '{name}' is already registered.", nameof(name));
        }

        return this;
    }

    /// <summary>Finds the storage registered under <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="storage">The storage, when found.</param>
    /// <returns>Whether it was found.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public bool TryGetStorage(string name, [NotNullWhen(true)] out ThrottleStorage? storage)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _namedStorages.TryGetValue(name, out storage);
    }

    /// <summary>The storage registered under <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The storage.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No storage has that name.</exception>
    public ThrottleStorage GetStorage(string name) =>
        TryGetStorage(name, out var storage)
            ? storage
            : throw new InvalidOperationException(
                $"No storage named '{name}' is registered on this ThrottleRuntime. Call RegisterStorage(\"{name}\", storage) at start-up.");

    /// <summary>The storage a limiter built for <paramref name="site"/> keeps its state in: the named one, or the runtime's.</summary>
    /// <param name="site">The method's (or registered limiter's) site.</param>
    /// <param name="user">Who uses it, for the message: the method's id or the registered limiter.</param>
    /// <exception cref="InvalidOperationException">The named storage is not registered (the message names the user and the storage).</exception>
    private ThrottleStorage StorageFor(RateLimitSite site, string user)
    {
        if (site.StorageName is not { } name)
        {
            return Storage;
        }

        return TryGetStorage(name, out var storage)
            ? storage
            : throw new InvalidOperationException(
                $"{user} uses the storage '{name}' ([RateLimit(Storage = \"{name}\")]), which is not registered on this ThrottleRuntime. Call RegisterStorage(\"{name}\", storage) at start-up.");
    }
    /// <summary>
    /// Builds a limiter from <paramref name="options"/> on this runtime's storage and registers it under
    /// <paramref name="name"/>, so that <c>[RateLimit(Limiter = name)]</c> methods share it. Token bucket: <c>Rate</c>
    /// per <c>Per</c> seconds, capacity <c>Burst</c>; sliding window: <c>Rate</c> per window of <c>Per</c> seconds;
    /// leaky bucket: leaks <c>Rate / Per</c> per second, capacity <c>Burst</c>. Its state lives under
    /// <see cref="RateLimitOptions.Scope"/>, default <paramref name="name"/>: runtimes on one Redis share it.
    /// </summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="options">The limiter's settings, copied. <see cref="RateLimitOptions.Limiter"/> and
    /// <see cref="RateLimitOptions.MaxWaitSeconds"/> belong to a method (which limiter it uses, how long its calls wait)
    /// and must be left unset.</param>
    /// <returns>The limiter.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or already registered; an option is
    /// out of range or blank (<see cref="ArgumentException.ParamName"/> is the option, the message its <see cref="OptionProblem"/>);
    /// or <c>Limiter</c> or <c>MaxWaitSeconds</c> is set.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The scope is already used on the storage with other settings (named in the message).</exception>
    public ThrottleLimiter RegisterLimiter(string name, RateLimitOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        var problems = ValidateRegisteredLimiter(options);
        OptionRules.ThrowFirst(problems);
        if (_namedLimiters.ContainsKey(name))
        {
            throw new ArgumentException($"A limiter named '{name}' is already registered.", nameof(name));
        }

        var settings = options.Copy();
        settings.Scope ??= name;
        var limiter = CreateLimiter(new RateLimitSite(name, settings), $"the limiter '{name}' registered on the runtime");
        RegisterLimiter(name, limiter);
        return limiter;
    }

    /// <summary>
    /// Checks the settings of a limiter registered by name (<see cref="RegisterLimiter(string, RateLimitOptions)"/>):
    /// <see cref="RateLimitOptions.Validate"/>, and that the options that belong to a method are unset.
    /// </summary>
    /// <param name="options">The settings.</param>
    /// <returns>Every problem found; empty when the settings are valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<OptionProblem> ValidateRegisteredLimiter(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Limiter is not null)
        {
            return [NotForRegistered(nameof(RateLimitOptions.Limiter), options.Limiter, "Limiter names a registered limiter from a [RateLimit] method; a registered limiter cannot refer to another")];
        }

        var problems = new List<OptionProblem>(options.Validate());
        if (!options.MaxWaitSeconds.Equals(RateLimitOptions.DefaultMaxWaitSeconds))
        {
            problems.Add(NotForRegistered(nameof(RateLimitOptions.MaxWaitSeconds), options.MaxWaitSeconds, "MaxWaitSeconds is how long one method's calls wait; set it on the [RateLimit] attribute, not on a registered limiter"));
        }

        return problems;
    }

    /// <summary>
    /// Creates the circuit breaker <paramref name="name"/> with <paramref name="options"/> before any method uses it:
    /// <c>[CircuitBreaker(Name = name)]</c> methods share it, and must ask for the same threshold and break (else their
    /// first call fails with an <see cref="InvalidOperationException"/> naming both).
    /// </summary>
    /// <param name="name">The breaker's name, as methods give it.</param>
    /// <param name="options">The threshold and break. <see cref="CircuitBreakerOptions.Name"/> must be unset or
    /// <paramref name="name"/>; <see cref="CircuitBreakerOptions.ShouldHandle"/> belongs to a method and must be unset.</param>
    /// <returns>The breaker.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty, or a breaker of that name exists; an
    /// option is out of range (<see cref="ArgumentException.ParamName"/> is the option).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public CircuitBreakerHandle RegisterCircuitBreaker(string name, CircuitBreakerOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowFirst(ValidateRegisteredCircuitBreaker(name, options));
        if (_circuitBreakers.ContainsKey(name))
        {
            throw new ArgumentException($"A circuit breaker named '{name}' already exists on this ThrottleRuntime.", nameof(name));
        }

        var breakDuration = TimeSpan.FromTicks((long)(options.BreakSeconds * TimeSpan.TicksPerSecond));
        var user = $"the circuit breaker '{name}' registered on the runtime";
        _breakerSettings.Claim(name, new BreakerSettings(options.FailureThreshold, breakDuration, options.Shared), user);
        var breaker = CreateCircuitBreaker(name, options.FailureThreshold, breakDuration, options.Shared, user);
        return _circuitBreakers.TryAdd(name, breaker)
            ? breaker
            : throw new ArgumentException($"A circuit breaker named '{name}' already exists on this ThrottleRuntime.", nameof(name));
    }

    /// <summary>Checks the settings of <see cref="RegisterCircuitBreaker"/>: <see cref="CircuitBreakerOptions.Validate"/>, and that the method's options are unset.</summary>
    /// <param name="name">The name it is registered under.</param>
    /// <param name="options">The settings.</param>
    /// <returns>Every problem found; empty when the settings are valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<OptionProblem> ValidateRegisteredCircuitBreaker(string name, CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<OptionProblem>(options.Validate());
        if (options.Name is { } own && !string.Equals(own, name, StringComparison.Ordinal) && problems.Count == 0)
        {
            problems.Add(NotForRegistered(nameof(CircuitBreakerOptions.Name), own, $"Name is '{own}', but the breaker is registered as '{name}'; leave Name unset"));
        }

        if (options.ShouldHandle is not null)
        {
            problems.Add(NotForRegistered(nameof(CircuitBreakerOptions.ShouldHandle), null, "ShouldHandle is which exceptions one method counts; set Handles on the [CircuitBreaker] attribute, not on a registered breaker"));
        }

        return problems;
    }

    /// <summary>
    /// Creates the semaphore <see cref="DistributedSemaphoreOptions.Key"/> with its value, lease and polling delay
    /// before any method uses it (Redis-backed when the runtime is on Redis, see <see cref="GetSemaphore(string, int)"/>).
    /// <c>[DistributedSemaphore]</c> methods and <see cref="GetSemaphore(string, int)"/> callers of that key share it and
    /// must ask for the same settings.
    /// </summary>
    /// <param name="options">The key and settings. <see cref="DistributedSemaphoreOptions.AcquireTimeoutSeconds"/> is how
    /// long one caller waits, so it must be left at its default: pass a timeout to <see cref="ThrottleSemaphore.AcquireAsync(TimeSpan, System.Threading.CancellationToken)"/>.</param>
    /// <returns>The semaphore.</returns>
    /// <exception cref="ArgumentException">An option is out of range or blank (<see cref="ArgumentException.ParamName"/> is the option).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The key is already used on this runtime with other settings (named in the message).</exception>
    public ThrottleSemaphore RegisterSemaphore(DistributedSemaphoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionRules.ThrowFirst(ValidateRegisteredSemaphore(options));
        return GetSemaphore(
            options.Key,
            null,
            options.Value,
            TimeSpan.FromSeconds(options.LeaseSeconds),
            TimeSpan.FromSeconds(options.AcquireSleepDelaySeconds),
            user: $"the semaphore '{options.Key}' registered on the runtime");
    }

    /// <summary>Checks the settings of <see cref="RegisterSemaphore"/>: <see cref="DistributedSemaphoreOptions.Validate"/>, and that the caller's option is unset.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>Every problem found; empty when the settings are valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<OptionProblem> ValidateRegisteredSemaphore(DistributedSemaphoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<OptionProblem>(options.Validate());
        if (!options.AcquireTimeoutSeconds.Equals(DistributedSemaphoreOptions.DefaultAcquireTimeoutSeconds))
        {
            problems.Add(NotForRegistered(nameof(DistributedSemaphoreOptions.AcquireTimeoutSeconds), options.AcquireTimeoutSeconds, "AcquireTimeoutSeconds is how long one caller waits; set it on the [DistributedSemaphore] attribute or pass it to AcquireAsync, not on a registered semaphore"));
        }

        return problems;
    }

    /// <summary>Finds the semaphore <paramref name="key"/> (unpartitioned) once it exists: registered, or created by a first use.</summary>
    /// <param name="key">The semaphore's key.</param>
    /// <param name="semaphore">The semaphore, when found.</param>
    /// <returns>Whether it was found.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public bool TryGetSemaphore(string key, [NotNullWhen(true)] out ThrottleSemaphore? semaphore)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        semaphore = null;
        return _semaphores is { } semaphores && semaphores.TryGetValue((key, null), out semaphore);
    }

    // An option that belongs to one method (or caller), set on a registered resource: refused rather than ignored.
    private static OptionProblem NotForRegistered(string option, object? value, string message) =>
        new(option, value, message, OptionRules.OutOfRangeId);
}
