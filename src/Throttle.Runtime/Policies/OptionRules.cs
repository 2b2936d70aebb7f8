using System;
using System.Collections.Generic;
using System.Globalization;

#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// The rules and wordings every options type uses, so each bound reads the same at compile time and at run time.
/// Each check adds at most one problem and says whether the value passed.
/// </summary>
internal static class OptionRules
{
    /// <summary>The longest wait a timer accepts: <c>uint.MaxValue - 1</c> milliseconds (about 49.7 days), in seconds.</summary>
    public const double TimerLimitSeconds = (uint.MaxValue - 1) / 1000.0;

    /// <summary>The longest duration a <see cref="TimeSpan"/> holds, in whole seconds.</summary>
    public const double MaxDurationSeconds = long.MaxValue / TimeSpan.TicksPerSecond;

    /// <summary>One <see cref="TimeSpan"/> tick, in seconds: the shortest period a window can have.</summary>
    public const double TickSeconds = 1.0 / TimeSpan.TicksPerSecond;

    // The diagnostic of each kind of problem (docs/diagnostics.md).
    public const string OutOfRangeId = "THR009";
    public const string RateNumberId = "THR101";
    public const string MaxWaitId = "THR102";
    public const string BelowOneCallId = "THR106";
    public const string EmptyNameId = "THR107";
    public const string BurstNotApplicableId = "THR108";
    public const string UnknownStrategyId = "THR109";

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string PositiveFiniteMessage(string option, double value) =>
        $"{option} must be a positive, finite number, but is {Number(value)}";

    public static string WaitOrInfiniteMessage(string option, double value) =>
        $"{option} must be zero, positive or double.PositiveInfinity, but is {Number(value)}";

    public static bool PositiveFinite(List<OptionProblem> problems, string option, double value, string id = OutOfRangeId)
    {
        if (value > 0 && !double.IsInfinity(value))
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, PositiveFiniteMessage(option, value), id));
        return false;
    }

    /// <summary>Zero or positive, or positive infinity for "no limit".</summary>
    public static bool WaitOrInfinite(List<OptionProblem> problems, string option, double value, string id = OutOfRangeId)
    {
        if (value >= 0)
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, WaitOrInfiniteMessage(option, value), id));
        return false;
    }

    /// <summary>Positive, or positive infinity for "no limit".</summary>
    public static bool PositiveOrInfinite(List<OptionProblem> problems, string option, double value, string id = OutOfRangeId)
    {
        if (value > 0)
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, $"{option} must be positive or double.PositiveInfinity, but is {Number(value)}", id));
        return false;
    }

    public static bool AtLeastFinite(List<OptionProblem> problems, string option, double value, double minimum, string id = OutOfRangeId)
    {
        if (value >= minimum && !double.IsInfinity(value))
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, $"{option} must be a finite number of at least {Number(minimum)}, but is {Number(value)}", id));
        return false;
    }

    /// <summary>For a value already known to be a number: not below <paramref name="minimum"/>.</summary>
    public static bool AtLeast(List<OptionProblem> problems, string option, double value, double minimum, string id = OutOfRangeId)
    {
        if (value >= minimum)
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, $"{option} must be at least {Number(minimum)}, but is {Number(value)}", id));
        return false;
    }

    /// <summary>For a value already known to be a number: not above <paramref name="maximum"/>.</summary>
    public static bool AtMost(List<OptionProblem> problems, string option, double value, double maximum, string id = OutOfRangeId)
    {
        if (value <= maximum)
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, $"{option} must be at most {Number(maximum)}, but is {Number(value)}", id));
        return false;
    }

    public static bool AtLeast(List<OptionProblem> problems, string option, int value, int minimum, string id = OutOfRangeId)
    {
        if (value >= minimum)
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, $"{option} must be at least {Number(minimum)}, but is {Number(value)}", id));
        return false;
    }

    /// <summary>An optional name: null, or some non-blank text.</summary>
    public static bool NullOrNotBlank(List<OptionProblem> problems, string option, string? value)
    {
        if (value is null || value.Trim().Length > 0)
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, $"{option} must not be empty; remove it or give it a value", EmptyNameId));
        return false;
    }

    /// <summary>A required name: some non-blank text.</summary>
    public static bool NotBlank(List<OptionProblem> problems, string option, string? value)
    {
        if (value is not null && value.Trim().Length > 0)
        {
            return true;
        }

        problems.Add(new OptionProblem(option, value, $"{option} must not be empty", EmptyNameId));
        return false;
    }

    /// <summary>Throws the first problem; nothing when there is none.</summary>
    public static void ThrowFirst(IReadOnlyList<OptionProblem> problems, Func<string, string>? paramName = null)
    {
        if (problems.Count > 0)
        {
            throw problems[0].ToException(paramName?.Invoke(problems[0].Option));
        }
    }
}
