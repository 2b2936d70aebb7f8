using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>
/// THR901: a <c>SemaphoreSlim</c>, Throttle semaphore or limiter created in the call that waits on it, so each call
/// has its own (docs/diagnostics.md#thr901). Quiet when the instance leaves the function (stored, returned, passed,
/// captured by a lambda that may run many times per call), when only a nested function waits on it (limiting one call's
/// fan-out is what a per-call semaphore is for), for a limiter over a shared storage, for a Redis handle disposed by
/// <c>using</c>, and in code that runs once (top-level statements, <c>Main</c>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CreatedInWaitingCallAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(PitfallDescriptors.CreatedInWaitingCall);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = ConcurrencyTypes.From(start.Compilation);
            if (!types.Any)
            {
                return;
            }

            start.RegisterOperationAction(
                operation =>
                {
                    if (Find((IObjectCreationOperation)operation.Operation, types, operation.CancellationToken) is { } creation)
                    {
                        operation.ReportDiagnostic(Diagnostic.Create(
                            PitfallDescriptors.CreatedInWaitingCall,
                            creation.Operation.Syntax.GetLocation(),
                            creation.Operation.Type!.Name,
                            Creation.Consequence(creation.Kind)));
                    }
                },
                OperationKind.ObjectCreation);
        });
    }

    /// <summary>The creation if THR901 applies to it (THR904 asks too, so that one creation is reported once).</summary>
    internal static Creation? Find(IObjectCreationOperation operation, ConcurrencyTypes types, System.Threading.CancellationToken cancellationToken)
    {
        var creation = Creation.Analyze(operation, types, includeSemaphoreSlim: true, cancellationToken);
        if (creation is not { Function: { } function, Escapes: false, WaitedOnHere: true }
            || (creation.Kind == StateKind.RedisHandle && creation.IsUsing)
            || operation.SemanticModel is not { } model
            || Functions.RunsOnce(function, model, cancellationToken))
        {
            return null;
        }

        return creation;
    }
}
