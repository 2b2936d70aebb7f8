using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;
using Throttle.Generator.Policies;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Reports the problems of an aspect's shared options validation (src/Throttle.Runtime/Policies) as THR diagnostics,
/// one per problem, at the argument that set the option, with the problem's own message.
/// </summary>
internal static class OptionChecks
{
    public static void Report(IReadOnlyList<OptionProblem> problems, AttributeArguments arguments, List<DiagnosticInfo> diagnostics)
    {
        foreach (var problem in problems)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptor(problem.DiagnosticId), arguments.OptionLocation(problem.Option), problem.Message));
        }
    }

    /// <summary>An argument the options do not hold (a key path, say): set and blank is THR107, as for the options' names.</summary>
    public static void NotEmpty(AttributeArguments arguments, string name, string? value, List<DiagnosticInfo> diagnostics)
    {
        if (arguments.Has(name))
        {
            var problems = new List<OptionProblem>();
            OptionRules.NullOrNotBlank(problems, name, value);
            Report(problems, arguments, diagnostics);
        }
    }

    private static DiagnosticDescriptor Descriptor(string id) => id switch
    {
        OptionRules.RateNumberId => DiagnosticDescriptors.InvalidNumber,
        OptionRules.MaxWaitId => DiagnosticDescriptors.InvalidMaxWait,
        OptionRules.BelowOneCallId => DiagnosticDescriptors.BurstBelowOneCall,
        OptionRules.EmptyNameId => DiagnosticDescriptors.EmptyName,
        OptionRules.BurstNotApplicableId => DiagnosticDescriptors.BurstNotApplicable,
        OptionRules.UnknownStrategyId => DiagnosticDescriptors.UnknownStrategy,
        _ => DiagnosticDescriptors.OptionOutOfRange,
    };
}
