using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Analyzers.Pitfalls;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR902: passes the cancellation token in scope to the wait (docs/diagnostics.md#thr902): a parameter of the innermost
/// function that has one, else the one <c>CancellationToken</c> local declared before the wait. With no token in scope
/// nothing is offered: the timeout overloads return <c>bool</c>, and code written for the unbounded wait would go on as if
/// it held a slot when the wait timed out.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnboundedWaitCodeFixProvider))]
[Shared]
public sealed class UnboundedWaitCodeFixProvider : DeclarationCodeFixProvider<InvocationExpressionSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR902.PassCancellationToken";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(PitfallDescriptors.UnboundedWait.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    private protected override string? Title(InvocationExpressionSyntax wait, SemanticModel model, CancellationToken cancellationToken) =>
        Token(wait, model, cancellationToken) is { } token ? $"Pass '{token}'" : null;

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, InvocationExpressionSyntax wait, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Token(wait, model, cancellationToken) is not { } token)
        {
            return document;
        }

        var arguments = wait.ArgumentList.WithArguments(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(Throttle.Generator.Parsing.SymbolText.Identifier(token)))));
        return document.WithSyntaxRoot(root.ReplaceNode(wait, wait.WithArgumentList(arguments)));
    }

    private static string? Token(InvocationExpressionSyntax wait, SemanticModel model, CancellationToken cancellationToken)
    {
        var tokenType = model.Compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        if (tokenType is null || wait.ArgumentList.Arguments.Count != 0)
        {
            return null;
        }

        for (var function = Functions.Enclosing(wait); function is not null and not CompilationUnitSyntax; function = Functions.Enclosing(function))
        {
            var parameters = function is SimpleLambdaExpressionSyntax simple
                ? new[] { simple.Parameter }
                : Functions.Parameters(function)?.Parameters.ToArray() ?? System.Array.Empty<ParameterSyntax>();
            foreach (var parameter in parameters)
            {
                if (model.GetDeclaredSymbol(parameter, cancellationToken) is IParameterSymbol { RefKind: RefKind.None or RefKind.In } symbol
                    && SymbolEqualityComparer.Default.Equals(symbol.Type, tokenType))
                {
                    return Bound(symbol) ? symbol.Name : null;
                }
            }
        }

        var locals = model.LookupSymbols(wait.SpanStart).OfType<ILocalSymbol>()
            .Where(l => SymbolEqualityComparer.Default.Equals(l.Type, tokenType)
                && l.DeclaringSyntaxReferences.All(r => r.SyntaxTree == wait.SyntaxTree && r.Span.End < wait.SpanStart))
            .ToList();
        return locals.Count == 1 && Bound(locals[0]) ? locals[0].Name : null;

        // The name must mean this symbol at the wait (nothing nearer hides it).
        bool Bound(ISymbol symbol) =>
            model.LookupSymbols(wait.SpanStart, name: symbol.Name).FirstOrDefault() is { } found && SymbolEqualityComparer.Default.Equals(found, symbol);
    }
}
