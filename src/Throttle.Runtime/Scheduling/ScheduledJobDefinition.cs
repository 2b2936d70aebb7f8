using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Policies;

namespace Throttle.Scheduling;

/// <summary>A job of a static <c>[Scheduled]</c> method, as the generator registers it (<see cref="ScheduledJobRegistry"/>).</summary>
public sealed class ScheduledJobDefinition
{
    /// <summary>Creates the definition.</summary>
    /// <param name="options">The job's schedule and name (validated when added to a scheduler).</param>
    /// <param name="run">Runs the method once.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ScheduledJobDefinition(ScheduledOptions options, Func<CancellationToken, ValueTask> run)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(run);
        Options = options;
        Run = run;
    }

    /// <summary>The job's schedule and name.</summary>
    public ScheduledOptions Options { get; }

    /// <summary>Runs the method once.</summary>
    public Func<CancellationToken, ValueTask> Run { get; }
}
