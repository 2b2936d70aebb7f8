using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;
using Throttle.Generator.Policies;

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
        var options = new CircuitBreakerOptions();
        options.FailureThreshold = arguments.Named(nameof(options.FailureThreshold), options.FailureThreshold);
        options.BreakSeconds = arguments.Named(nameof(options.BreakSeconds), options.BreakSeconds);
        options.Name = arguments.Named(nameof(options.Name), options.Name);
        options.Shared = arguments.Named(nameof(options.Shared), options.Shared);
        OptionChecks.Report(options.Validate(), arguments, diagnostics);
        var handles = Handles(arguments, "CircuitBreaker", compilation, diagnostics);
        return new CircuitBreakerModel(
            options.FailureThreshold, options.BreakSeconds, string.IsNullOrEmpty(options.Name) ? null : options.Name, handles, options.Shared);
    }

    private static RetryModel ParseRetry(AttributeData attribute, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute);
        var options = new RetryOptions();
        options.MaxRetries = arguments.Named(nameof(options.MaxRetries), options.MaxRetries);
        options.BaseDelaySeconds = arguments.Named(nameof(options.BaseDelaySeconds), options.BaseDelaySeconds);
        options.MaxDelaySeconds = arguments.Named(nameof(options.MaxDelaySeconds), options.MaxDelaySeconds);
        options.ExponentialBase = arguments.Named(nameof(options.ExponentialBase), options.ExponentialBase);
        options.Jitter = arguments.Named(nameof(options.Jitter), options.Jitter);
        var problems = options.Validate();
        OptionChecks.Report(problems, arguments, diagnostics);

        // Valid but probably not meant (a warning, not a range problem): every wait is then the cap.
        var delaysValid = !problems.Any(p => p.Option is nameof(RetryOptions.BaseDelaySeconds) or nameof(RetryOptions.MaxDelaySeconds));
        if (delaysValid && options.MaxDelaySeconds < options.BaseDelaySeconds)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.MaxDelayBelowBaseDelay,
                arguments.NamedLocation(nameof(options.MaxDelaySeconds)),
                SymbolText.Number(options.MaxDelaySeconds),
                SymbolText.Number(options.BaseDelaySeconds)));
        }

        var handles = Handles(arguments, "Retry", compilation, diagnostics);
        return new RetryModel(options.MaxRetries, options.BaseDelaySeconds, options.MaxDelaySeconds, options.ExponentialBase, options.Jitter, handles);
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
