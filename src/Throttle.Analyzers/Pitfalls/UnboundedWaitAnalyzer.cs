using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>
/// THR902 (info): <c>SemaphoreSlim.WaitAsync()</c> or <c>Wait()</c> with no timeout and no cancellation token, in an
/// async method, lambda or local function: if the holders stall, the caller waits forever (docs/diagnostics.md#thr902).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnboundedWaitAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(PitfallDescriptors.UnboundedWait);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = ConcurrencyTypes.From(start.Compilation);
            if (types.SemaphoreSlim is null)
            {
                return;
            }

            start.RegisterOperationAction(
                operation =>
                {
                    var invocation = (IInvocationOperation)operation.Operation;
                    var method = invocation.TargetMethod;
                    if (method.Name is "Wait" or "WaitAsync"
                        && method.Parameters.IsEmpty
                        && types.IsSemaphoreSlim(method.ContainingType)
                        && Functions.IsAsync(Functions.Enclosing(invocation.Syntax)))
                    {
                        operation.ReportDiagnostic(Diagnostic.Create(PitfallDescriptors.UnboundedWait, invocation.Syntax.GetLocation(), method.Name + "()"));
                    }
                },
                OperationKind.Invocation);
        });
    }
}
