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

    /// <summary>
    /// What each call gives its queue, so the kind of queue it needs: <see cref="QueueKind.Fifo"/> (the default) for
    /// nothing (a FIFO or a priority queue fits, the method's own is a priority queue), <see cref="QueueKind.Priority"/>
    /// for a priority, <see cref="QueueKind.Delayed"/> for a delay, <see cref="QueueKind.Deduplicating"/> for a dedupe key.
    /// </summary>
    public QueueKind Kind { get; set; } = QueueKind.Fifo;

    /// <summary>Whether a queue of <paramref name="queueKind"/> can take calls that give what <see cref="Kind"/> says.</summary>
    /// <param name="queueKind">The queue's kind.</param>
    /// <returns>True for the same kind, and for calls that give nothing on a priority queue (they run in call order).</returns>
    public bool Fits(QueueKind queueKind) => queueKind == Kind || (Kind == QueueKind.Fifo && queueKind == QueueKind.Priority);

    /// <summary>Checks every option (Workers and MaxSize too when a named <see cref="Queue"/> makes them unused).</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.NullOrNotBlank(problems, nameof(Queue), Queue);
        OptionRules.AtLeast(problems, nameof(Workers), Workers, MinWorkers);
        OptionRules.AtLeast(problems, nameof(MaxSize), MaxSize, MinMaxSize);
        if (Kind is not (QueueKind.Fifo or QueueKind.Priority or QueueKind.Delayed or QueueKind.Deduplicating))
        {
            problems.Add(new OptionProblem(
                nameof(Kind), Kind, $"(QueueKind){OptionRules.Number((int)Kind)} is not a QueueKind; use Fifo, Priority, Delayed or Deduplicating", OptionRules.OutOfRangeId));
        }
        return problems;
    }

    /// <summary>A copy, so a holder keeps the settings it validated.</summary>
    internal QueuedOptions Copy() => (QueuedOptions)MemberwiseClone();
}
