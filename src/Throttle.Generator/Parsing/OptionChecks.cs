using System.Collections.Generic;
using System.Globalization;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>Range checks for attribute options, reported as THR009 at the offending argument.</summary>
internal static class OptionChecks
{
    public static bool AtLeast(AttributeArguments arguments, string name, int value, int minimum, List<DiagnosticInfo> diagnostics)
    {
        if (value >= minimum)
        {
            return true;
        }

        Report(arguments, name, "at least " + minimum.ToString(CultureInfo.InvariantCulture), value.ToString(CultureInfo.InvariantCulture), diagnostics);
        return false;
    }

    public static bool PositiveFinite(AttributeArguments arguments, string name, double value, List<DiagnosticInfo> diagnostics)
    {
        if (value > 0 && !double.IsInfinity(value))
        {
            return true;
        }

        Report(arguments, name, "a positive, finite number", SymbolText.Number(value), diagnostics);
        return false;
    }

    /// <summary>Positive, or <c>double.PositiveInfinity</c> for "no limit".</summary>
    public static bool PositiveOrInfinite(AttributeArguments arguments, string name, double value, List<DiagnosticInfo> diagnostics)
    {
        if (value > 0)
        {
            return true;
        }

        Report(arguments, name, "positive or double.PositiveInfinity", SymbolText.Number(value), diagnostics);
        return false;
    }

    public static bool AtLeastFinite(AttributeArguments arguments, string name, double value, double minimum, List<DiagnosticInfo> diagnostics)
    {
        if (value >= minimum && !double.IsInfinity(value))
        {
            return true;
        }

        Report(arguments, name, "a finite number of at least " + SymbolText.Number(minimum), SymbolText.Number(value), diagnostics);
        return false;
    }

    public static void NotEmpty(AttributeArguments arguments, string name, string? value, List<DiagnosticInfo> diagnostics)
    {
        if (arguments.Has(name) && value is not null && value.Trim().Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmptyName, arguments.NamedLocation(name), name));
        }
    }

    private static void Report(AttributeArguments arguments, string name, string expected, string actual, List<DiagnosticInfo> diagnostics) =>
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OptionOutOfRange, arguments.NamedLocation(name), name, expected, actual));
}
