using System;
using System.Collections.Concurrent;
using System.Threading;
using Throttle.Infrastructure;
using Throttle.Internal;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Redis;

namespace Throttle;

/// <summary>
/// Holds the policies that generated code runs through: the storage, the clock and the named limiters. Generated
/// wrappers use <see cref="Current"/>; configure the process-wide instance at start-up with <see cref="Configure"/>,
/// or override it for one test (one async flow) with <see cref="Use"/>.
/// </summary>
/// <remarks>Safe for concurrent use.</remarks>
public sealed partial class ThrottleRuntime
{
    private static readonly AsyncLocal<ThrottleRuntime?> s_scoped = new();
    private static ThrottleRuntime? s_configured;
    private static ThrottleRuntime? s_default;
    private static volatile bool s_anyScoped;

    private readonly ConcurrentDictionary<string, ThrottleLimiter> _namedLimiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ThrottleLimiter> _siteLimiters = new(StringComparer.Ordinal);

    // The Redis side of the storage (Redis or hybrid), null in memory: what the runtime's semaphores run on.
    private readonly RedisStorage? _redis;

    // Whether the runtime created its storage (and so disposes it) rather than being given one.
    private readonly bool _ownsStorage;

    /// <summary>Creates a runtime with in-memory storage and the system clock.</summary>
    public ThrottleRuntime()
        : this(new ThrottleRuntimeOptions())
    {
    }

    /// <summary>Creates a runtime from <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The storage given in <paramref name="options"/> runs on another clock than its <see cref="ThrottleRuntimeOptions.TimeProvider"/>.</exception>
    public ThrottleRuntime(ThrottleRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;

        // The one clock, resolved once: everything the runtime creates (storage included) runs on it.
        TimeProvider = options.ResolveTimeProvider();
        Storage = ThrottleRuntimeOptions.ResolveStorage(options, TimeProvider);
        _ownsStorage = options.CreatesStorage;
        _redis = Storage switch
        {
            RedisStorage redis => redis,
            HybridStorage hybrid => hybrid.Redis,
            _ => null,
        };
        Telemetry = CreateTelemetry(options);
    }

    /// <summary>
    /// The runtime generated code uses now: the one set by <see cref="Use"/> in this async flow, else the one set by
    /// <see cref="Configure"/>, else a default in-memory runtime.
    /// </summary>
    public static ThrottleRuntime Current
    {
        get
        {
            if (s_anyScoped && s_scoped.Value is { } scoped)
            {
                return scoped;
            }

            return Volatile.Read(ref s_configured) ?? Default;
        }
    }

    // The read inline, the creation out of line: Current is on every generated call's path.
    private static ThrottleRuntime Default => Volatile.Read(ref s_default) ?? CreateDefault();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static ThrottleRuntime CreateDefault()
    {
        Interlocked.CompareExchange(ref s_default, new ThrottleRuntime(), null);
        return s_default;
    }

    /// <summary>The clock of the runtime's limiters.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The options this runtime was created with; the parts of the runtime in other files read theirs here.</summary>
    internal ThrottleRuntimeOptions Options { get; }

    /// <summary>Where the runtime's limiters keep their state: memory by default, Redis or hybrid by configuration.</summary>
    public ThrottleStorage Storage { get; }

    /// <summary>The Redis side of <see cref="Storage"/> (the Redis storage itself, or a hybrid storage's); null in memory.</summary>
    public RedisStorage? Redis => _redis;

    /// <summary>Makes <paramref name="runtime"/> the process-wide runtime (call once at start-up).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    public static void Configure(ThrottleRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        Volatile.Write(ref s_configured, runtime);
    }

    /// <summary>
    /// Makes <paramref name="runtime"/> current for this async flow (a test, a request) until the returned scope is
    /// disposed; other flows keep theirs. Scopes nest.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    public static IDisposable Use(ThrottleRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        s_anyScoped = true;
        var previous = s_scoped.Value;
        s_scoped.Value = runtime;
        return new RuntimeScope(previous);
    }

    /// <summary>Registers <paramref name="limiter"/> under <paramref name="name"/> so that <c>[RateLimit(Limiter = name)]</c> methods share it.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty, or already registered.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="limiter"/> is null.</exception>
    public ThrottleRuntime RegisterLimiter(string name, ThrottleLimiter limiter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(limiter);
        if (!_namedLimiters.TryAdd(name, limiter))
        {
            throw new ArgumentException($"A limiter named '{name}' is already registered.", nameof(name));
        }

        ObserveNamedLimiter(name, limiter);
        return this;
    }

    /// <summary>Finds the limiter registered under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public bool TryGetLimiter(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ThrottleLimiter? limiter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _namedLimiters.TryGetValue(name, out limiter);
    }

    /// <summary>The limiter registered under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No limiter has that name.</exception>
    public ThrottleLimiter GetLimiter(string name) =>
        TryGetLimiter(name, out var limiter)
            ? limiter
            : throw new InvalidOperationException(
                $"No limiter named '{name}' is registered on this ThrottleRuntime. Call RegisterLimiter(\"{name}\", limiter) at start-up.");

    /// <summary>The limiter a generated <c>[RateLimit]</c> method uses: named, or built from the attribute once per runtime.</summary>
    internal ThrottleLimiter ResolveLimiter(RateLimitSite site)
    {
        if (site.LimiterName is { } name)
        {
            return GetLimiter(name);
        }

        return _siteLimiters.GetOrAdd(site.Id, static (_, state) => state.runtime.CreateLimiter(state.site, state.site.Id), (runtime: this, site));
    }

    /// <summary>
    /// Builds a site's own limiter on the runtime's storage. Token bucket: <c>rate</c> per <c>per</c> seconds, capacity
    /// <c>Burst</c>. Sliding window: <c>rate</c> per window of <c>per</c> seconds. Leaky bucket: leaks <c>rate / per</c>
    /// per second, capacity <c>Burst</c> (the site turns a <c>Burst</c> of 0 into <c>rate</c>).
    /// </summary>
    private ThrottleLimiter CreateLimiter(RateLimitSite site, string user)
    {
        // The storage checks the scope's settings against its other users; this names the method in its message.
        var storage = StorageFor(site, user);
        using var claiming = SharedSettings.ClaimingAs(user);
        return ObserveLimiter(site.Scope, site.Strategy switch
        {
            RateLimitStrategy.TokenBucket => new TokenBucketLimiter(site.Rate, site.Per, site.Burst, storage, site.Scope),
            RateLimitStrategy.SlidingWindow => new SlidingWindowLimiter(site.Rate, site.Per, storage, site.Scope),
            RateLimitStrategy.LeakyBucket => new LeakyBucketLimiter(site.Rate / site.Per, site.Burst, storage, site.Scope),
            _ => throw new NotSupportedException($"Unknown rate-limit strategy {site.Strategy}."),
        });
    }

    private sealed class RuntimeScope(ThrottleRuntime? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                s_scoped.Value = previous;
            }
        }
    }
}
