using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>Reads and checks <c>[CircuitBreaker]</c> and <c>[Retry]</c>, which share one Polly pipeline per method.</summary>
internal static class ResilienceParser
{
    public static ResilienceModel? Parse(
        AttributeData? circuitBreakerAttribute, AttributeData? retryAttribute, Compilation compilation, MethodNames names, List<DiagnosticInfo> diagnostics)
    {
        if (circuitBreakerAttribute is null && retryAttribute is null)
        {
            return null;
        }

        var errorsBefore = diagnostics.Count;
        var circuitBreaker = circuitBreakerAttribute is null ? null : ParseCircuitBreaker(circuitBreakerAttribute, compilation, diagnostics);
        var retry = retryAttribute is null ? null : ParseRetry(retryAttribute, compilation, diagnostics);
        if (diagnostics.Skip(errorsBefore).Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
        {
            return null;
        }

        return new ResilienceModel("__throttleResilience_" + names.MemberSuffix, names.SiteId, circuitBreaker, retry);
    }

    private static CircuitBreakerModel ParseCircuitBreaker(AttributeData attribute, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute);
        var threshold = arguments.Named("FailureThreshold", 5);
        var breakSeconds = arguments.Named("BreakSeconds", 60.0);
        var name = arguments.Named<string>("Name", null);
        OptionChecks.AtLeast(arguments, "FailureThreshold", threshold, 1, diagnostics);
        OptionChecks.PositiveFinite(arguments, "BreakSeconds", breakSeconds, diagnostics);
        OptionChecks.NotEmpty(arguments, "Name", name, diagnostics);
        var handles = Handles(arguments, "CircuitBreaker", compilation, diagnostics);
        return new CircuitBreakerModel(threshold, breakSeconds, string.IsNullOrEmpty(name) ? null : name, handles);
    }

    private static RetryModel ParseRetry(AttributeData attribute, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute);
        var maxRetries = arguments.Named("MaxRetries", 5);
        var baseDelay = arguments.Named("BaseDelaySeconds", 1.0);
        var maxDelay = arguments.Named("MaxDelaySeconds", 60.0);
        var exponentialBase = arguments.Named("ExponentialBase", 2.0);
        var jitter = arguments.Named("Jitter", true);
        OptionChecks.AtLeast(arguments, "MaxRetries", maxRetries, 0, diagnostics);
        var delaysValid = OptionChecks.PositiveFinite(arguments, "BaseDelaySeconds", baseDelay, diagnostics)
            & OptionChecks.PositiveFinite(arguments, "MaxDelaySeconds", maxDelay, diagnostics);
        OptionChecks.AtLeastFinite(arguments, "ExponentialBase", exponentialBase, 1, diagnostics);
        if (delaysValid && maxDelay < baseDelay)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.MaxDelayBelowBaseDelay, arguments.NamedLocation("MaxDelaySeconds"), SymbolText.Number(maxDelay), SymbolText.Number(baseDelay)));
        }

        var handles = Handles(arguments, "Retry", compilation, diagnostics);
        return new RetryModel(maxRetries, baseDelay, maxDelay, exponentialBase, jitter, handles);
    }

    private static EquatableArray<string> Handles(AttributeArguments arguments, string attributeName, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var exception = compilation.GetTypeByMetadataName("System.Exception");
        var types = new List<string>();
        foreach (var type in arguments.NamedTypes("Handles"))
        {
            if (type is null || type.TypeKind == TypeKind.Error)
            {
                continue;
            }

            if (!DerivesFrom(type, exception) || type is INamedTypeSymbol { IsUnboundGenericType: true })
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.HandlesNotException, arguments.NamedLocation("Handles"), type.ToDisplayString(SymbolText.Short), attributeName));
                continue;
            }

            types.Add(type.ToDisplayString(SymbolText.Qualified));
        }

        return new EquatableArray<string>(types.Distinct());
    }

    private static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol? baseType)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
