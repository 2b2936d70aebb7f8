using System;

// One source, three assemblies (README "Where defaults and bounds live"): public in the runtime, internal in the
// attributes (for their documented defaults) and in the generator (under its own namespace, for the THR checks).
#if THROTTLE_GENERATOR
namespace Throttle.Generator.Policies;
#else
namespace Throttle.Policies;
#endif

/// <summary>
/// One option value that its aspect does not accept, as data: which option, the value, and the message. The runtime
/// throws it as an <see cref="ArgumentException"/> (<see cref="ArgumentException.ParamName"/> is <see cref="Option"/>)
/// and the source generator reports it as the diagnostic <see cref="DiagnosticId"/> at the attribute argument, with the
/// same <see cref="Message"/> in both.
/// </summary>
#if THROTTLE_POLICIES_INTERNAL
internal
#else
public
#endif
sealed class OptionProblem
{
    internal OptionProblem(string option, object? value, string message, string diagnosticId)
    {
        Option = option;
        Value = value;
        Message = message;
        DiagnosticId = diagnosticId;
    }

    /// <summary>The option's name, as the attribute argument and the options property spell it (e.g. <c>LeaseSeconds</c>).</summary>
    public string Option { get; }

    /// <summary>The value that was refused.</summary>
    public object? Value { get; }

    /// <summary>What is wrong and what the option accepts; the same text at compile time and at run time.</summary>
    public string Message { get; }

    /// <summary>The compile-time diagnostic that reports this problem on an attribute (see docs/diagnostics.md).</summary>
    public string DiagnosticId { get; }

    /// <summary>The exception the runtime throws for this problem: a range error, or an argument error for an empty name.</summary>
    /// <param name="paramName">The parameter to name; default <see cref="Option"/>.</param>
    /// <returns>The exception, not thrown.</returns>
    public ArgumentException ToException(string? paramName = null) =>
        DiagnosticId == OptionRules.EmptyNameId
            ? new ArgumentException(Message, paramName ?? Option)
            : new ArgumentOutOfRangeException(paramName ?? Option, Message);

    /// <summary>The message.</summary>
    /// <returns><see cref="Message"/>.</returns>
    public override string ToString() => Message;
}
