using System;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Throttle.Coordination;
using Throttle.Policies;
using Throttle.Scheduling;

namespace Throttle.Hosting;

/// <summary>Scheduled jobs and leader election, started and stopped with the host.</summary>
public static class ThrottleBuilderSchedulingExtensions
{
    /// <summary>
    /// Adds the host's <see cref="Scheduler"/> (one singleton on the host's runtime, started and stopped with the host),
    /// with the static <c>[Scheduled]</c> methods of the assemblies loaded when it is created, and the jobs
    /// <paramref name="configure"/> adds.
    /// </summary>
    /// <param name="builder">The Throttle builder.</param>
    /// <param name="configure">Adds jobs (<see cref="Scheduler.Every(TimeSpan, string, Func{CancellationToken, ValueTask})"/>, ...); may be null.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ThrottleBuilder AddSchedule(this ThrottleBuilder builder, Action<Scheduler, IServiceProvider>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddScheduler(builder.Services);
        if (configure is not null)
        {
            builder.Services.AddSingleton(new SchedulerSetup(configure));
        }

        return builder;
    }

    /// <summary>
    /// Adds the <c>[Scheduled]</c> instance methods of <typeparamref name="T"/> to the host's scheduler (see
    /// <see cref="AddSchedule"/>); each run resolves <typeparamref name="T"/> in a new DI scope. No reflection: the
    /// generator implements <see cref="IScheduledJobs{TSelf}"/> on the partial type.
    /// </summary>
    /// <typeparam name="T">A partial class with <c>[Scheduled]</c> methods; registered as scoped unless already registered.</typeparam>
    /// <param name="builder">The Throttle builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ThrottleBuilder AddScheduledJobs<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this ThrottleBuilder builder)
        where T : class, IScheduledJobs<T>
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddScheduler(builder.Services);
        builder.Services.TryAddScoped<T>();
        builder.Services.AddSingleton(new SchedulerSetup(static (scheduler, services) =>
            scheduler.AddJobs<T>(async (run, cancellationToken) =>
            {
                var scope = services.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    await run(scope.ServiceProvider.GetRequiredService<T>(), cancellationToken).ConfigureAwait(false);
                }
            })));
        return builder;
    }

    /// <summary>
    /// Adds a leadership with its own settings, started and stopped with the host; the scheduler's leader-only jobs of
    /// that <c>CoordinatorOptions.LockName</c> use it (default name: <c>ScheduledOptions.DefaultLeadership</c>).
    /// The coordinator is a keyed singleton under its lock name. Call it before <see cref="AddSchedule"/> or
    /// <see cref="AddScheduledJobs{T}"/> so it starts before the scheduler and stops after it.
    /// </summary>
    /// <param name="builder">The Throttle builder.</param>
    /// <param name="configure">Sets TTL, retry interval, lock name; may be null.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException">The settings are out of range (the options' own checks, at registration).</exception>
    public static ThrottleBuilder AddLeaderElection(this ThrottleBuilder builder, Action<CoordinatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new CoordinatorOptions { LockName = ScheduledOptions.DefaultLeadership };
        configure?.Invoke(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw problems[0].ToException();
        }

        var lockName = options.LockName;
        builder.Services.AddKeyedSingleton(lockName, (services, _) => new Coordinator(services.GetRequiredService<ThrottleRuntime>(), options));
        builder.Services.AddSingleton<IHostedService>(services => new CoordinatorLifetime(services.GetRequiredKeyedService<Coordinator>(lockName)));
        builder.Services.AddSingleton(new SchedulerSetup((scheduler, services) =>
            scheduler.UseLeadership(services.GetRequiredKeyedService<Coordinator>(lockName))));
        return builder;
    }

    private static void AddScheduler(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(Scheduler)))
        {
            return;
        }

        services.AddSingleton(static provider =>
        {
            var scheduler = new Scheduler(provider.GetRequiredService<ThrottleRuntime>());
            foreach (var setup in provider.GetServices<SchedulerSetup>())
            {
                setup.Configure(scheduler, provider);
            }

            scheduler.AddRegisteredJobs();
            return scheduler;
        });
        services.AddSingleton<IHostedService, SchedulerLifetime>();
    }

    private sealed record SchedulerSetup(Action<Scheduler, IServiceProvider> Configure);

    // Hosts start hosted services in registration order and stop them in reverse: coordinators added first outlive it.
    private sealed class SchedulerLifetime(Scheduler scheduler) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => scheduler.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => scheduler.StopAsync(cancellationToken);
    }

    private sealed class CoordinatorLifetime(Coordinator coordinator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => coordinator.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => coordinator.StopAsync(cancellationToken);
    }
}
