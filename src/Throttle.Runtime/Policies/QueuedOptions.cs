using System.Collections.Generic;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The settings of one <c>[Queued]</c> method's queue: the defaults the attribute documents, the bounds the generator
/// checks (THR009) and the runtime enforces, and the one validation both use (<see cref="Validate"/>).
/// </summary>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class QueuedOptions
{
    /// <summary>The default number of workers.</summary>
    public const int DefaultWorkers = 1;

    /// <summary>The fewest workers a queue can have.</summary>
    public const int MinWorkers = 1;

    /// <summary>The default most calls waiting at once.</summary>
    public const int DefaultMaxSize = 10_000;

    /// <summary>The smallest queue.</summary>
    public const int MinMaxSize = 1;

    /// <summary>A queue registered on the runtime to use instead of the method's own; null (the default) for its own. Not blank.</summary>
    public string? Queue { get; set; }

    /// <summary>Workers running calls concurrently, at least <see cref="MinWorkers"/>. Default <see cref="DefaultWorkers"/>.</summary>
    public int Workers { get; set; } = DefaultWorkers;

    /// <summary>The most calls waiting at once, at least <see cref="MinMaxSize"/>. Default <see cref="DefaultMaxSize"/>.</summary>
    public int MaxSize { get; set; } = DefaultMaxSize;

    /// <summary>Checks every option (Workers and MaxSize too when a named <see cref="Queue"/> makes them unused).</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.NullOrNotBlank(problems, nameof(Queue), Queue);
        OptionRules.AtLeast(problems, nameof(Workers), Workers, MinWorkers);
        OptionRules.AtLeast(problems, nameof(MaxSize), MaxSize, MinMaxSize);
        return problems;
    }

    /// <summary>A copy, so a holder keeps the settings it validated.</summary>
    internal QueuedOptions Copy() => (QueuedOptions)MemberwiseClone();
}
