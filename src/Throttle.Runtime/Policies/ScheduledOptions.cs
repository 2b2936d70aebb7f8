using System.Collections.Generic;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The settings of one scheduled job (<c>[Scheduled]</c> or <c>Scheduler.Every</c>): what the attribute documents, the
/// bounds the generator checks (THR501, THR502, THR506, THR107) and the scheduler enforces, and the one validation both
/// use (<see cref="Validate"/>). A job runs every <see cref="Seconds"/> + <see cref="Minutes"/> + <see cref="Hours"/>
/// (the parts given are added up), or at the occurrences of a <see cref="Cron"/> expression: exactly one of the two.
/// </summary>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class ScheduledOptions
{
    /// <summary>The leadership <see cref="OnlyOnLeader"/> jobs need when <see cref="Leadership"/> is not set.</summary>
    public const string DefaultLeadership = "throttle-scheduler";

    /// <summary>The longest interval, in seconds: what a <c>TimeSpan</c> holds.</summary>
    public const double MaxIntervalSeconds = OptionRules.MaxDurationSeconds;

    /// <summary>The diagnostic of a job with no schedule, or with both an interval and a cron expression.</summary>
    public const string ScheduleId = "THR501";

    /// <summary>The diagnostic of an interval part that is zero, negative, NaN or infinite, or a total that is too long.</summary>
    public const string IntervalId = "THR502";

    /// <summary>The diagnostic of <see cref="Leadership"/> set on a job that runs everywhere.</summary>
    public const string LeadershipWithoutLeaderId = "THR506";

    /// <summary>
    /// The job's name, unique in its scheduler (logs and counters name it). <c>[Scheduled]</c> defaults it to
    /// <c>Type.Method</c>; not blank when set.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Seconds of the interval: positive and finite when set. Null (the default) when not part of it.</summary>
    public double? Seconds { get; set; }

    /// <summary>Minutes of the interval: positive and finite when set. Null (the default) when not part of it.</summary>
    public double? Minutes { get; set; }

    /// <summary>Hours of the interval: positive and finite when set. Null (the default) when not part of it.</summary>
    public double? Hours { get; set; }

    /// <summary>
    /// A cron expression (Cronos syntax: five fields, or six with seconds first), in UTC, instead of an interval.
    /// Its syntax is checked when the job is added to a scheduler. Null (the default) for an interval job.
    /// </summary>
    public string? Cron { get; set; }

    /// <summary>
    /// Whether the job runs only in the instance that holds <see cref="Leadership"/> (leader election); its token is
    /// cancelled when that leadership is lost. Default <see langword="false"/>: every instance runs it.
    /// </summary>
    public bool OnlyOnLeader { get; set; }

    /// <summary>
    /// The name of the leadership (the coordinator's lock name) an <see cref="OnlyOnLeader"/> job needs. Null (the
    /// default) for <see cref="DefaultLeadership"/>; only with <see cref="OnlyOnLeader"/>; not blank when set.
    /// </summary>
    public string? Leadership { get; set; }

    /// <summary>The interval in seconds, the sum of the parts given; null when none is given.</summary>
    public double? IntervalSeconds =>
        Seconds is null && Minutes is null && Hours is null
            ? null
            : (Seconds ?? 0) + ((Minutes ?? 0) * 60) + ((Hours ?? 0) * 3600);

    /// <summary>The leadership an <see cref="OnlyOnLeader"/> job needs, null for a job that runs everywhere.</summary>
    public string? EffectiveLeadership => OnlyOnLeader ? Leadership ?? DefaultLeadership : null;

    /// <summary>Checks every option.</summary>
    /// <returns>Every problem found, in option order; empty when the options are valid.</returns>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        OptionRules.NullOrNotBlank(problems, nameof(Name), Name);
        var partsValid = Part(problems, nameof(Seconds), Seconds)
            & Part(problems, nameof(Minutes), Minutes)
            & Part(problems, nameof(Hours), Hours);
        if (partsValid && IntervalSeconds is { } total)
        {
            OptionRules.AtMost(problems, nameof(Seconds), total, MaxIntervalSeconds, IntervalId);
        }

        if (IntervalSeconds is null && Cron is null)
        {
            problems.Add(new OptionProblem(
                nameof(Seconds),
                null,
                "A scheduled job needs an interval (Seconds, Minutes or Hours) or a Cron expression",
                ScheduleId));
        }
        else if (IntervalSeconds is not null && Cron is not null)
        {
            problems.Add(new OptionProblem(
                nameof(Cron),
                Cron,
                "A scheduled job runs either every interval (Seconds, Minutes, Hours) or on a Cron expression, not both; remove one",
                ScheduleId));
        }
        else if (Cron is not null)
        {
            OptionRules.NotBlank(problems, nameof(Cron), Cron);
        }

        if (OptionRules.NullOrNotBlank(problems, nameof(Leadership), Leadership) && Leadership is not null && !OnlyOnLeader)
        {
            problems.Add(new OptionProblem(
                nameof(Leadership),
                Leadership,
                "Leadership names the leadership an OnlyOnLeader job needs, but OnlyOnLeader is false; set OnlyOnLeader = true or remove Leadership",
                LeadershipWithoutLeaderId));
        }

        return problems;
    }

    /// <summary>A copy, so a job keeps the settings it validated.</summary>
    internal ScheduledOptions Copy() => (ScheduledOptions)MemberwiseClone();

    private static bool Part(List<OptionProblem> problems, string option, double? value) =>
        value is not { } number || OptionRules.PositiveFinite(problems, option, number, IntervalId);
}
