using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>
/// THR903: <c>semaphore.Release()</c> as a statement after a successful wait on the same semaphore in the same block,
/// with code in between and no <c>finally</c> around the release: an exception in between leaks the slot
/// (docs/diagnostics.md#thr903). A successful wait is a wait statement (<c>await s.WaitAsync(...)</c>, <c>s.Wait(...)</c>)
/// or a guard that leaves when the wait fails (<c>if (!await s.WaitAsync(timeout)) return;</c>). Quiet when the wait is
/// elsewhere (another method or block: a hand-off this cannot follow) or a release already sits in between.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReleaseOutsideFinallyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(PitfallDescriptors.ReleaseOutsideFinally);

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
                    if (Find((IInvocationOperation)operation.Operation, types, operation.CancellationToken) is { } found)
                    {
                        operation.ReportDiagnostic(Diagnostic.Create(PitfallDescriptors.ReleaseOutsideFinally, found.Release.GetLocation(), found.ReceiverText));
                    }
                },
                OperationKind.Invocation);
        });
    }

    /// <summary>A release this reports: its statement, the wait's statement and the block holding both.</summary>
    internal sealed record Finding(InvocationExpressionSyntax Release, BlockSyntax Block, int WaitIndex, int ReleaseIndex, string ReceiverText);

    internal static Finding? Find(IInvocationOperation release, ConcurrencyTypes types, CancellationToken cancellationToken)
    {
        if (release.TargetMethod.Name != "Release"
            || !types.IsSemaphoreSlim(release.TargetMethod.ContainingType)
            || release.Syntax is not InvocationExpressionSyntax { Parent: ExpressionStatementSyntax { Parent: BlockSyntax block } statement } syntax
            || Receiver(release.Instance) is not { } receiver
            || release.SemanticModel is not { } model
            || Functions.Enclosing(syntax) is not { } function
            || Functions.InFinally(syntax, function))
        {
            return null;
        }

        var releaseIndex = block.Statements.IndexOf(statement);
        for (var i = releaseIndex - 1; i >= 0; i--)
        {
            var candidate = block.Statements[i];
            if (IsSuccessfulWait(candidate, receiver, types, model, cancellationToken))
            {
                return i < releaseIndex - 1
                    ? new Finding(syntax, block, i, releaseIndex, release.Instance!.Syntax.ToString())
                    : null;
            }

            // Another release of it in between (in a finally, or on an early exit): the code already has its own scheme.
            if (candidate.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(c =>
                    model.GetOperation(c, cancellationToken) is IInvocationOperation { TargetMethod.Name: "Release" } other
                    && SymbolEqualityComparer.Default.Equals(Receiver(other.Instance), receiver)))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The local, parameter, field or property the call is made on; null for anything more complex.</summary>
    private static ISymbol? Receiver(IOperation? instance) => instance switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Arguments.IsEmpty: true } property => property.Property,
        _ => null,
    };

    private static bool IsSuccessfulWait(StatementSyntax statement, ISymbol receiver, ConcurrencyTypes types, SemanticModel model, CancellationToken cancellationToken)
    {
        ExpressionSyntax? wait = statement switch
        {
            ExpressionStatementSyntax expression => expression.Expression,

            // if (!await s.WaitAsync(timeout)) return; — past the guard, the wait succeeded.
            IfStatementSyntax { Else: null, Condition: PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not } guard
                when LeavesBlock(guard.Statement) => not.Operand,
            _ => null,
        };
        if (wait is AwaitExpressionSyntax awaited)
        {
            wait = awaited.Expression;
        }

        while (wait is ParenthesizedExpressionSyntax parenthesized)
        {
            wait = parenthesized.Expression is AwaitExpressionSyntax inner ? inner.Expression : parenthesized.Expression;
        }

        return wait is InvocationExpressionSyntax call
            && model.GetOperation(call, cancellationToken) is IInvocationOperation { TargetMethod.Name: "Wait" or "WaitAsync" } operation
            && types.IsSemaphoreSlim(operation.TargetMethod.ContainingType)
            && SymbolEqualityComparer.Default.Equals(Receiver(operation.Instance), receiver);
    }

    private static bool LeavesBlock(StatementSyntax statement) => statement switch
    {
        ReturnStatementSyntax or ThrowStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax => true,
        ExpressionStatementSyntax { Expression: ThrowExpressionSyntax } => true,
        BlockSyntax { Statements.Count: > 0 } block => LeavesBlock(block.Statements.Last()),
        _ => false,
    };
}
