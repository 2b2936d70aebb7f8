using System;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Throttle.Hosting.Configuration;
using Throttle.Queues;

namespace Throttle.Hosting.DependencyInjection;

/// <summary>
/// Builds the container's one <see cref="ThrottleRuntime"/> from <see cref="ThrottleHostOptions"/>: the container's
/// <see cref="TimeProvider"/> (else the system clock), <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/>,
/// the storage, then every named resource. The container owns the runtime and disposes it.
/// </summary>
internal static class ThrottleRuntimeFactory
{
    public static ThrottleRuntime Create(IServiceProvider services)
    {
        // Value runs the validator: a bad setting fails here too when the runtime is resolved before the host starts.
        var options = services.GetRequiredService<IOptions<ThrottleHostOptions>>().Value;
        var runtimeOptions = new ThrottleRuntimeOptions
        {
            TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
        };
        if (options.MaxKeys is { } maxKeys)
        {
            runtimeOptions.MaxKeys = maxKeys;
        }

        if (options.RedisConnection is { } connection)
        {
            runtimeOptions.UseRedis(connection(services), options.RedisStorage);
        }
        else if (options.RedisConnectionString is { } connectionString)
        {
            runtimeOptions.ConnectRedis(connectionString, options.RedisStorage);
        }

        // Resolved before the runtime exists, so the container disposes the named storages after the runtime.
        var storages = services.GetRequiredService<HostStorages>();
        var runtime = new ThrottleRuntime(runtimeOptions);
        try
        {
            Register(services, options, runtime, storages);
            return runtime;
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }

    private static void Register(IServiceProvider services, ThrottleHostOptions options, ThrottleRuntime runtime, HostStorages storages)
    {
        // Storages first: registered limiters may keep their state in one (RateLimitOptions.Storage).
        foreach (var storage in options.StorageFactories)
        {
            var created = storage.Value(services, runtime)
                ?? throw new InvalidOperationException($"{storage.Source}: the factory returned null.");
            storages.Add(created);
            runtime.RegisterStorage(storage.Name, created);
        }

        foreach (var limiter in options.LimiterRegistrations)
        {
            runtime.RegisterLimiter(limiter.Name, limiter.Value);
        }

        foreach (var limiter in options.LimiterFactories)
        {
            runtime.RegisterLimiter(limiter.Name, limiter.Value(services, runtime)
                ?? throw new InvalidOperationException($"{limiter.Source}: the factory returned null."));
        }

        foreach (var breaker in options.CircuitBreakerRegistrations)
        {
            runtime.RegisterCircuitBreaker(breaker.Name, breaker.Value);
        }

        foreach (var semaphore in options.SemaphoreRegistrations)
        {
            runtime.RegisterSemaphore(semaphore.Value);
        }

        foreach (var queue in options.QueueRegistrations)
        {
            runtime.RegisterQueue(queue.Name, new InvocationQueue(queue.Value.Workers, queue.Value.MaxSize, runtime.TimeProvider));
        }
    }
}
