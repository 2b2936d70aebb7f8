using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Throttle.Hosting.Configuration;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Queues;
using Throttle.Storage;
using Throttle.Storage.Redis;

namespace Throttle.Hosting;

/// <summary>
/// Configures the host's <see cref="ThrottleRuntime"/> (returned by <c>services.AddThrottle()</c>): its storage, its
/// named limiters, queues, circuit breakers and semaphores, and what shutdown does. Registrations from code and from
/// configuration (<see cref="BindConfiguration"/>) add up; a name registered twice, or a bad value, stops start-up
/// with a message naming the configuration path or the call.
/// </summary>
public sealed class ThrottleBuilder
{
    internal ThrottleBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection Throttle is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Reads the <c>Throttle</c> configuration section (pass <c>configuration.GetSection("Throttle")</c>); its shape is
    /// in the README, "Configuration": <c>Redis</c> (<c>Configuration</c>, <c>KeyPrefix</c>, <c>OperationTimeoutSeconds</c>,
    /// <c>FailureMode</c>, <c>FailClosedRetryAfterSeconds</c>), <c>Limiters:&lt;name&gt;</c> (<c>Strategy</c>, <c>Rate</c>,
    /// <c>Per</c>, <c>Burst</c>, <c>Scope</c>), <c>CircuitBreakers:&lt;name&gt;</c> (<c>FailureThreshold</c>,
    /// <c>BreakSeconds</c>), <c>Queues:&lt;name&gt;</c> (<c>Workers</c>, <c>MaxSize</c>), <c>Semaphores:&lt;key&gt;</c>
    /// (<c>Value</c>, <c>LeaseSeconds</c>, <c>AcquireSleepDelaySeconds</c>), <c>Shutdown:Mode</c> (<c>Drain</c> or
    /// <c>HandBack</c>) and <c>MaxKeys</c>. Unset values take the option types' defaults. Read once, when the runtime is
    /// built; later changes to the configuration have no effect.
    /// </summary>
    /// <param name="section">The section.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="section"/> is null.</exception>
    public ThrottleBuilder BindConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Configure(options => ThrottleConfigurationReader.Read(section, options));
    }

    /// <summary>
    /// Puts the runtime on Redis on a connection the application owns (usually the container's
    /// <see cref="IConnectionMultiplexer"/>): limiters, and semaphores, are then shared by every process using the server.
    /// The runtime never closes it.
    /// </summary>
    /// <param name="connection">Gets the connection, when the runtime is built.</param>
    /// <param name="storageOptions">Key prefix, timeout and failure policy; defaults when null. Configuration's
    /// <c>Redis</c> values, when bound after this call, override them.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public ThrottleBuilder UseRedis(Func<IServiceProvider, IConnectionMultiplexer> connection, RedisStorageOptions? storageOptions = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Configure(options =>
        {
            options.RedisConnection = connection;
            if (storageOptions is not null)
            {
                options.RedisStorage = Copy(storageOptions);
            }
        });
    }

    /// <summary>
    /// Puts the runtime on Redis on a connection it opens itself, in the background (<c>AbortOnConnectFail=false</c>):
    /// a Redis that is down does not stop start-up; operations then follow <see cref="RedisStorageOptions.FailureMode"/>
    /// and the health check reports it. The runtime closes the connection when it is disposed. The same as configuration's
    /// <c>Redis:Configuration</c>.
    /// </summary>
    /// <param name="connectionString">A StackExchange.Redis connection string (<c>host:port,password=…</c>) or a
    /// <c>redis://</c> URL; a malformed one stops start-up.</param>
    /// <param name="storageOptions">Key prefix, timeout and failure policy; defaults when null.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null or empty.</exception>
    public ThrottleBuilder ConnectRedis(string connectionString, RedisStorageOptions? storageOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return Configure(options =>
        {
            options.RedisConnectionString = connectionString;
            options.RedisSource = "ConnectRedis(...)";
            if (storageOptions is not null)
            {
                options.RedisStorage = Copy(storageOptions);
            }
        });
    }

    /// <summary>
    /// Registers the limiter <paramref name="name"/> for <c>[RateLimit(Limiter = name)]</c> methods, built on the
    /// runtime's storage from the settings <paramref name="configure"/> sets (<c>ThrottleRuntime.RegisterLimiter(name, RateLimitOptions)</c>).
    /// </summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="configure">Sets <c>RateLimitOptions.Rate</c> (required), <c>Per</c>, <c>Burst</c>, <c>Strategy</c>, <c>Scope</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public ThrottleBuilder AddLimiter(string name, Action<RateLimitOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        return Configure(options =>
        {
            var limiter = new RateLimitOptions();
            configure(limiter);
            options.AddLimiter(name, limiter, $"AddLimiter(\"{name}\")");
        });
    }

    /// <summary>Registers the limiter <paramref name="name"/> that <paramref name="factory"/> builds (a composite, an adaptive limiter …).</summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="factory">Builds the limiter, given the container and the runtime (build it on <see cref="ThrottleRuntime.Storage"/>).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public ThrottleBuilder AddLimiter(string name, Func<IServiceProvider, ThrottleRuntime, ThrottleLimiter> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        return Configure(options => options.AddLimiter(name, factory, $"AddLimiter(\"{name}\")"));
    }

    /// <summary>
    /// Registers the storage <paramref name="name"/> that <paramref name="factory"/> builds, for <c>[RateLimit(Storage = name)]</c>
    /// methods and limiters registered with <c>RateLimitOptions.Storage</c> (<see cref="ThrottleRuntime.RegisterStorage"/>).
    /// The storage must run on the runtime's clock: build it with <see cref="ThrottleRuntime.TimeProvider"/> (see the other overload),
    /// or with the container's <see cref="TimeProvider"/> when one is registered (else <see cref="TimeProvider.System"/>).
    /// The container disposes it, after the runtime.
    /// </summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="factory">Builds the storage, given the container, when the runtime is built.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public ThrottleBuilder AddStorage(string name, Func<IServiceProvider, ThrottleStorage> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return AddStorage(name, (services, _) => factory(services));
    }

    /// <summary>
    /// Registers the storage <paramref name="name"/> that <paramref name="factory"/> builds (see
    /// <see cref="AddStorage(string, Func{IServiceProvider, ThrottleStorage})"/>), given the runtime too, whose
    /// <see cref="ThrottleRuntime.TimeProvider"/> the storage must run on.
    /// </summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="factory">Builds the storage, given the container and the runtime.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public ThrottleBuilder AddStorage(string name, Func<IServiceProvider, ThrottleRuntime, ThrottleStorage> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        return Configure(options => options.AddStorage(name, factory, $"AddStorage(\"{name}\")"));
    }

    /// <summary>Registers the queue <paramref name="name"/> for <c>[Queued(Queue = name)]</c> methods, with the default workers and size.</summary>
    /// <param name="name">The name methods refer to.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public ThrottleBuilder AddQueue(string name) => AddQueue(name, static _ => { });

    /// <summary>
    /// Registers the queue <paramref name="name"/> for <c>[Queued(Queue = name)]</c> methods. Its workers start with the
    /// host and it is drained (or handed back, see <see cref="StopQueuesOnShutdown"/>) when the host stops.
    /// </summary>
    /// <param name="name">The name methods refer to.</param>
    /// <param name="configure">Sets <c>QueuedOptions.Workers</c> and <c>QueuedOptions.MaxSize</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public ThrottleBuilder AddQueue(string name, Action<QueuedOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        return Configure(options =>
        {
            var queue = new QueuedOptions();
            configure(queue);
            options.AddQueue(name, queue, $"AddQueue(\"{name}\")");
        });
    }

    /// <summary>
    /// Registers the semaphore <paramref name="key"/> (<see cref="ThrottleRuntime.RegisterSemaphore"/>):
    /// <c>[DistributedSemaphore(key, …)]</c> methods and <see cref="ThrottleRuntime.TryGetSemaphore"/> share it.
    /// </summary>
    /// <param name="key">The semaphore's key.</param>
    /// <param name="configure">Sets <c>DistributedSemaphoreOptions.Value</c> (required), <c>LeaseSeconds</c>, <c>AcquireSleepDelaySeconds</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public ThrottleBuilder AddSemaphore(string key, Action<DistributedSemaphoreOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(configure);
        return Configure(options =>
        {
            var semaphore = new DistributedSemaphoreOptions();
            configure(semaphore);
            options.AddSemaphore(key, semaphore, $"AddSemaphore(\"{key}\")");
        });
    }

    /// <summary>Registers the circuit breaker <paramref name="name"/> with the default threshold and break.</summary>
    /// <param name="name">The breaker's name.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public ThrottleBuilder AddCircuitBreaker(string name) => AddCircuitBreaker(name, static _ => { });

    /// <summary>
    /// Registers the circuit breaker <paramref name="name"/> before first use (<see cref="ThrottleRuntime.RegisterCircuitBreaker"/>),
    /// so the health check sees it from start-up; <c>[CircuitBreaker(Name = name)]</c> methods share it and must ask for
    /// the same settings.
    /// </summary>
    /// <param name="name">The breaker's name.</param>
    /// <param name="configure">Sets <c>CircuitBreakerOptions.FailureThreshold</c> and <c>CircuitBreakerOptions.BreakSeconds</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public ThrottleBuilder AddCircuitBreaker(string name, Action<CircuitBreakerOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        return Configure(options =>
        {
            var breaker = new CircuitBreakerOptions();
            configure(breaker);
            options.AddCircuitBreaker(name, breaker, $"AddCircuitBreaker(\"{name}\")");
        });
    }

    /// <summary>
    /// What the host's shutdown does with calls still waiting in queues: <see cref="QueueStopMode.Drain"/> (the default)
    /// runs them until the host's shutdown timeout, then fails the rest with <see cref="QueueStoppedException"/>;
    /// <see cref="QueueStopMode.HandBack"/> fails them at once. Calls already running finish either way.
    /// </summary>
    /// <param name="mode">The mode.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not defined.</exception>
    public ThrottleBuilder StopQueuesOnShutdown(QueueStopMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown stop mode.");
        }

        return Configure(options => options.ShutdownMode = mode);
    }

    // Configuration's Redis values are written into these options: a copy leaves the caller's untouched.
    private static RedisStorageOptions Copy(RedisStorageOptions options) => new()
    {
        KeyPrefix = options.KeyPrefix,
        OperationTimeout = options.OperationTimeout,
        FailureMode = options.FailureMode,
        FailClosedRetryAfter = options.FailClosedRetryAfter,
        TimeProvider = options.TimeProvider,
    };

    private ThrottleBuilder Configure(Action<ThrottleHostOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}
