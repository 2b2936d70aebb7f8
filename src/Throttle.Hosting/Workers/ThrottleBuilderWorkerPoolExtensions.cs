using System;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Throttle.Workers;

namespace Throttle.Hosting;

/// <summary>Worker pools owned by the host: created and started when it starts, drained and stopped when it stops.</summary>
public static class ThrottleBuilderWorkerPoolExtensions
{
    /// <summary>
    /// Adds the worker pool <paramref name="name"/> with the pool's default settings on the runtime's clock (see
    /// <see cref="AddWorkerPool(ThrottleBuilder, string, Func{IServiceProvider, TimeProvider, WorkerPool})"/>).
    /// </summary>
    /// <param name="builder">The Throttle builder.</param>
    /// <param name="name">The pool's name: its DI key and its metrics' <c>throttle.worker_pool.name</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty, or already a pool's name.</exception>
    public static ThrottleBuilder AddWorkerPool(this ThrottleBuilder builder, string name) =>
        builder.AddWorkerPool(name, static (_, clock) => new WorkerPool(timeProvider: clock));

    /// <summary>
    /// Adds the worker pool <paramref name="name"/> that <paramref name="factory"/> creates, as a keyed singleton
    /// (<c>[FromKeyedServices(name)] WorkerPool</c>). The host owns it: it is created (its workers start) when the host
    /// starts, its size and scaling are on the runtime's meter, and when the host stops it runs every task submitted
    /// before and then stops its workers, for as long as the host's shutdown timeout allows (what still runs then is
    /// logged and left to finish); afterwards it refuses tasks with <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <param name="builder">The Throttle builder.</param>
    /// <param name="name">The pool's name: its DI key and its metrics' <c>throttle.worker_pool.name</c>.</param>
    /// <param name="factory">Creates the pool, given the container and the runtime's clock (pass it as the pool's
    /// <c>timeProvider</c>); the pool's constructor checks its settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty, or already a pool's name.</exception>
    public static ThrottleBuilder AddWorkerPool(this ThrottleBuilder builder, string name, Func<IServiceProvider, TimeProvider, WorkerPool> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (builder.Services.Any(d => d.IsKeyedService && d.ServiceType == typeof(WorkerPool) && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A worker pool named '{name}' is already registered.", nameof(name));
        }

        builder.Services.AddKeyedSingleton(name, (services, _) =>
            factory(services, services.GetRequiredService<ThrottleRuntime>().TimeProvider)
            ?? throw new InvalidOperationException($"AddWorkerPool(\"{name}\"): the factory returned null."));
        builder.Services.AddSingleton<IHostedService>(services => new WorkerPoolLifetime(
            name,
            services,
            services.GetRequiredService<ThrottleRuntime>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<WorkerPool>()));
        return builder;
    }
}
