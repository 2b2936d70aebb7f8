using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Throttle.Analyzers.Pitfalls;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR903: wraps the statements between the wait and the release in <c>try</c>, with the release in its <c>finally</c>
/// (docs/diagnostics.md#thr903). Not offered when a local declared in between is used after the release (it would go
/// out of scope in the <c>try</c> block).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseOutsideFinallyCodeFixProvider))]
[Shared]
public sealed class ReleaseOutsideFinallyCodeFixProvider : DeclarationCodeFixProvider<InvocationExpressionSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR903.ReleaseInFinally";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(PitfallDescriptors.ReleaseOutsideFinally.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    private protected override string? Title(InvocationExpressionSyntax release, SemanticModel model, CancellationToken cancellationToken) =>
        Plan(release, model, cancellationToken) is not null ? "Release in a finally block" : null;

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, InvocationExpressionSyntax release, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Plan(release, model, cancellationToken) is not { } finding)
        {
            return document;
        }

        var statements = finding.Block.Statements;
        var protectedStatements = statements.Skip(finding.WaitIndex + 1).Take(finding.ReleaseIndex - finding.WaitIndex - 1).ToList();
        var releaseStatement = statements[finding.ReleaseIndex];

        // Blank lines before the first statement stay before the try; its comments stay with it, inside.
        var leading = protectedStatements[0].GetLeadingTrivia();
        var blank = 0;
        for (var i = 0; i < leading.Count && leading[i].Kind() is SyntaxKind.WhitespaceTrivia or SyntaxKind.EndOfLineTrivia; i++)
        {
            if (leading[i].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                blank = i + 1;
            }
        }

        protectedStatements[0] = protectedStatements[0].WithLeadingTrivia(leading.Skip(blank));
        var tryStatement = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(protectedStatements),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(releaseStatement.WithoutLeadingTrivia())))
            .WithLeadingTrivia(leading.Take(blank))
            .WithAdditionalAnnotations(Formatter.Annotation);
        var rewritten = statements.Take(finding.WaitIndex + 1)
            .Append(tryStatement)
            .Concat(statements.Skip(finding.ReleaseIndex + 1));
        var fixedRoot = root.ReplaceNode(finding.Block, finding.Block.WithStatements(SyntaxFactory.List(rewritten)));
        return await Formatter.FormatAsync(document.WithSyntaxRoot(fixedRoot), Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static ReleaseOutsideFinallyAnalyzer.Finding? Plan(InvocationExpressionSyntax release, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetOperation(release, cancellationToken) is not IInvocationOperation operation
            || ReleaseOutsideFinallyAnalyzer.Find(operation, ConcurrencyTypes.From(model.Compilation), cancellationToken) is not { } finding)
        {
            return null;
        }

        var statements = finding.Block.Statements;
        var flow = model.AnalyzeDataFlow(statements[finding.WaitIndex + 1], statements[finding.ReleaseIndex - 1]);
        if (flow is null || !flow.Succeeded)
        {
            return null;
        }

        var declared = flow.VariablesDeclared;
        var usedAfter = statements.Skip(finding.ReleaseIndex + 1)
            .SelectMany(s => s.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
            .Any(n => declared.Contains(model.GetSymbolInfo(n, cancellationToken).Symbol!));
        var labels = statements.Skip(finding.WaitIndex + 1).Take(finding.ReleaseIndex - finding.WaitIndex - 1).Any(s => s is LabeledStatementSyntax or LocalFunctionStatementSyntax);
        return usedAfter || labels ? null : finding;
    }
}
