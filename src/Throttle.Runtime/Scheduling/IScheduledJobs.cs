using System.Collections.Generic;

namespace Throttle.Scheduling;

/// <summary>
/// A type whose instance methods carry <c>[Scheduled]</c>: the source generator makes the (partial) type implement it,
/// listing its jobs, so a scheduler adds them without reflection (<see cref="Scheduler.AddJobs{T}(T)"/>, or a host's
/// <c>AddScheduledJobs&lt;T&gt;()</c>).
/// </summary>
/// <typeparam name="TSelf">The type itself.</typeparam>
public interface IScheduledJobs<TSelf>
    where TSelf : class, IScheduledJobs<TSelf>
{
    /// <summary>The type's scheduled methods, in declaration order.</summary>
    static abstract IReadOnlyList<ScheduledJobDefinition<TSelf>> ScheduledJobs { get; }
}
