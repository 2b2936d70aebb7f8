using System;
using System.Collections.Generic;
using StackExchange.Redis;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Queues;
using Throttle.Storage;
using Throttle.Storage.Redis;

namespace Throttle.Hosting.Configuration;

/// <summary>
/// What <c>AddThrottle</c> builds the host's <see cref="ThrottleRuntime"/> from: the named limiters, circuit breakers,
/// queues and semaphores, the Redis connection and what shutdown does with waiting calls. Filled by the
/// <see cref="ThrottleBuilder"/> methods and by the configuration section (see <see cref="ThrottleBuilder.BindConfiguration"/>),
/// in the order they are called, and checked when the host starts.
/// </summary>
internal sealed class ThrottleHostOptions
{
    private readonly Dictionary<string, Registration<RateLimitOptions>> _limiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Registration<Func<IServiceProvider, ThrottleRuntime, ThrottleLimiter>>> _limiterFactories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Registration<CircuitBreakerOptions>> _circuitBreakers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Registration<QueuedOptions>> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Registration<DistributedSemaphoreOptions>> _semaphores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Registration<Func<IServiceProvider, ThrottleRuntime, ThrottleStorage>>> _storages = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    /// <summary>What shutdown does with the calls still waiting in queues. Default <see cref="QueueStopMode.Drain"/>:
    /// they run until the host's shutdown timeout, then fail with <see cref="QueueStoppedException"/>.</summary>
    public QueueStopMode ShutdownMode { get; set; } = QueueStopMode.Drain;

    /// <summary>The size of the in-memory storage, in keys, when Redis is not used; null for <see cref="ThrottleRuntimeOptions.MaxKeys"/>'s default.</summary>
    public int? MaxKeys { get; set; }

    /// <summary>The Redis connection string, when the runtime opens its own connection (configuration <c>Redis:Configuration</c>, or <see cref="ThrottleBuilder.ConnectRedis"/>).</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Makes the connection the runtime uses, when the application owns it (<see cref="ThrottleBuilder.UseRedis"/>).</summary>
    public Func<IServiceProvider, IConnectionMultiplexer>? RedisConnection { get; set; }

    /// <summary>Key prefix, operation timeout and failure policy of the Redis storage.</summary>
    public RedisStorageOptions RedisStorage { get; set; } = new();

    /// <summary>The named limiters, by name.</summary>
    public IReadOnlyDictionary<string, RateLimitOptions> Limiters => Values(_limiters);

    /// <summary>The named circuit breakers, by name.</summary>
    public IReadOnlyDictionary<string, CircuitBreakerOptions> CircuitBreakers => Values(_circuitBreakers);

    /// <summary>The named queues, by name.</summary>
    public IReadOnlyDictionary<string, QueuedOptions> Queues => Values(_queues);

    /// <summary>The semaphores, by key.</summary>
    public IReadOnlyDictionary<string, DistributedSemaphoreOptions> Semaphores => Values(_semaphores);

    /// <summary>The references of generated methods checked at start-up: every one must be registered. Tests replace it.</summary>
    internal Func<IEnumerable<(string Method, SiteResourceKind Kind, string Name)>> SiteReferences { get; set; } = ManifestReferences;

    internal IReadOnlyList<string> Problems => _problems;

    internal IEnumerable<Registration<RateLimitOptions>> LimiterRegistrations => _limiters.Values;

    internal IEnumerable<Registration<Func<IServiceProvider, ThrottleRuntime, ThrottleLimiter>>> LimiterFactories => _limiterFactories.Values;

    internal IEnumerable<Registration<Func<IServiceProvider, ThrottleRuntime, ThrottleStorage>>> StorageFactories => _storages.Values;

    internal IEnumerable<Registration<CircuitBreakerOptions>> CircuitBreakerRegistrations => _circuitBreakers.Values;

    internal IEnumerable<Registration<QueuedOptions>> QueueRegistrations => _queues.Values;

    internal IEnumerable<Registration<DistributedSemaphoreOptions>> SemaphoreRegistrations => _semaphores.Values;

    /// <summary>Where the Redis connection string came from, for messages.</summary>
    internal string RedisSource { get; set; } = "ConnectRedis";

    /// <summary>Adds a limiter built from settings; <paramref name="source"/> names where it came from in messages.</summary>
    internal void AddLimiter(string name, RateLimitOptions options, string source, bool readable = true)
    {
        if (Unique(name, "limiter", source, _limiters.GetValueOrDefault(name)?.Source ?? _limiterFactories.GetValueOrDefault(name)?.Source))
        {
            _limiters[name] = new Registration<RateLimitOptions>(name, options, source, readable);
        }
    }

    internal void AddLimiter(string name, Func<IServiceProvider, ThrottleRuntime, ThrottleLimiter> factory, string source)
    {
        if (Unique(name, "limiter", source, _limiters.GetValueOrDefault(name)?.Source ?? _limiterFactories.GetValueOrDefault(name)?.Source))
        {
            _limiterFactories[name] = new Registration<Func<IServiceProvider, ThrottleRuntime, ThrottleLimiter>>(name, factory, source);
        }
    }

    internal void AddStorage(string name, Func<IServiceProvider, ThrottleRuntime, ThrottleStorage> factory, string source)
    {
        if (Unique(name, "storage", source, _storages.GetValueOrDefault(name)?.Source))
        {
            _storages[name] = new Registration<Func<IServiceProvider, ThrottleRuntime, ThrottleStorage>>(name, factory, source);
        }
    }

    internal void AddCircuitBreaker(string name, CircuitBreakerOptions options, string source, bool readable = true)
    {
        if (Unique(name, "circuit breaker", source, _circuitBreakers.GetValueOrDefault(name)?.Source))
        {
            _circuitBreakers[name] = new Registration<CircuitBreakerOptions>(name, options, source, readable);
        }
    }

    internal void AddQueue(string name, QueuedOptions options, string source, bool readable = true)
    {
        if (Unique(name, "queue", source, _queues.GetValueOrDefault(name)?.Source))
        {
            _queues[name] = new Registration<QueuedOptions>(name, options, source, readable);
        }
    }

    internal void AddSemaphore(string key, DistributedSemaphoreOptions options, string source, bool readable = true)
    {
        if (Unique(key, "semaphore", source, _semaphores.GetValueOrDefault(key)?.Source))
        {
            options.Key = key;
            _semaphores[key] = new Registration<DistributedSemaphoreOptions>(key, options, source, readable);
        }
    }

    /// <summary>Records a problem found while reading configuration; start-up fails with every one.</summary>
    internal void AddProblem(string problem) => _problems.Add(problem);

    internal bool HasLimiter(string name) => _limiters.ContainsKey(name) || _limiterFactories.ContainsKey(name);

    internal bool HasQueue(string name) => _queues.ContainsKey(name);

    internal bool HasStorage(string name) => _storages.ContainsKey(name);

    internal bool HasSemaphore(string key) => _semaphores.ContainsKey(key);

    private static IEnumerable<(string Method, SiteResourceKind Kind, string Name)> ManifestReferences()
    {
        foreach (var reference in SiteManifest.References)
        {
            yield return (reference.Method, reference.Kind, reference.Name);
        }
    }

    private static Dictionary<string, T> Values<T>(Dictionary<string, Registration<T>> registrations)
    {
        var values = new Dictionary<string, T>(registrations.Count, StringComparer.Ordinal);
        foreach (var (name, registration) in registrations)
        {
            values[name] = registration.Value;
        }

        return values;
    }

    private bool Unique(string name, string what, string source, string? earlier)
    {
        if (earlier is null)
        {
            return true;
        }

        AddProblem($"{source}: the {what} '{name}' is registered twice, here and at {earlier}; register it once.");
        return false;
    }

    /// <summary>
    /// One named resource and where it was registered (a configuration path, or the builder call). <paramref name="Readable"/>
    /// is false when one of its values did not parse: that problem is reported, and the entry is not checked further
    /// (its unparsed value would be reported a second time as the default it kept).
    /// </summary>
    internal sealed record Registration<T>(string Name, T Value, string Source, bool Readable = true);
}
