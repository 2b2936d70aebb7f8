using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Policies;

namespace Throttle.Scheduling;

/// <summary>A job of an instance <c>[Scheduled]</c> method of <typeparamref name="T"/> (see <see cref="IScheduledJobs{TSelf}"/>).</summary>
/// <typeparam name="T">The type declaring the method.</typeparam>
public sealed class ScheduledJobDefinition<T>
    where T : class
{
    /// <summary>Creates the definition.</summary>
    /// <param name="options">The job's schedule and name (validated when added to a scheduler).</param>
    /// <param name="run">Runs the method once on an instance.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ScheduledJobDefinition(ScheduledOptions options, Func<T, CancellationToken, ValueTask> run)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(run);
        Options = options;
        Run = run;
    }

    /// <summary>The job's schedule and name.</summary>
    public ScheduledOptions Options { get; }

    /// <summary>Runs the method once on an instance.</summary>
    public Func<T, CancellationToken, ValueTask> Run { get; }
}
