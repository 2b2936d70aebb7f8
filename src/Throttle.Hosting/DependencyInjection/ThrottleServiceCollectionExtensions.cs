using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Throttle;
using Throttle.Hosting;
using Throttle.Hosting.Configuration;
using Throttle.Hosting.DependencyInjection;
using Throttle.Hosting.Lifetime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Throttle in a service collection.</summary>
public static class ThrottleServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="ThrottleRuntime"/> singleton for this container (in memory unless Redis is configured),
    /// built on the container's <see cref="TimeProvider"/>, <c>ILoggerFactory</c> and <c>IMeterFactory</c>, checked when
    /// the host starts (<c>ValidateOnStart</c>), started and stopped with the host and disposed with the container.
    /// Calling it again adds to the same runtime.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder, to add limiters, queues, breakers, semaphores and Redis.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static ThrottleBuilder AddThrottle(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ThrottleHostOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ThrottleHostOptions>, ThrottleHostOptionsValidator>());
        services.TryAddSingleton<HostStorages>();
        services.TryAddSingleton(ThrottleRuntimeFactory.Create);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ThrottleHostedService>());
        return new ThrottleBuilder(services);
    }

    /// <summary>Registers Throttle (see <see cref="AddThrottle(IServiceCollection)"/>) and configures it with <paramref name="configure"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adds limiters, queues, breakers, semaphores, Redis.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static ThrottleBuilder AddThrottle(this IServiceCollection services, Action<ThrottleBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddThrottle();
        configure(builder);
        return builder;
    }

    /// <summary>
    /// Registers Throttle (see <see cref="AddThrottle(IServiceCollection)"/>) configured from <paramref name="configuration"/>,
    /// the <c>Throttle</c> section (see <see cref="ThrottleBuilder.BindConfiguration"/> for its keys).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section: <c>builder.Configuration.GetSection("Throttle")</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static ThrottleBuilder AddThrottle(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddThrottle().BindConfiguration(configuration);
    }
}
