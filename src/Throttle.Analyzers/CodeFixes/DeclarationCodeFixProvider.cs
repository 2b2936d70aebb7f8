using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// The part every Throttle code fix shares: find the declaration a diagnostic points at, offer one fix for it under a
/// stable equivalence key, and let Fix All batch it. A fix says only its title and how it changes the document.
/// </summary>
/// <typeparam name="TDeclaration">The declaration the diagnostic is reported on.</typeparam>
public abstract class DeclarationCodeFixProvider<TDeclaration> : CodeFixProvider
    where TDeclaration : SyntaxNode
{
    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<TDeclaration>();
            if (declaration is null || Title(declaration, model, context.CancellationToken) is not { } title)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(title, cancellationToken => FixAsync(context.Document, declaration, cancellationToken), Key),
                diagnostic);
        }
    }

    /// <summary>The equivalence key that groups this fix for Fix All.</summary>
    private protected abstract string Key { get; }

    /// <summary>
    /// The fix's title for <paramref name="declaration"/>, or null when this fix does not apply to it (offering nothing
    /// beats an edit that leaves the code broken, e.g. a second member of a name that exists).
    /// </summary>
    private protected abstract string? Title(TDeclaration declaration, SemanticModel model, CancellationToken cancellationToken);

    /// <summary>The document with <paramref name="declaration"/> fixed.</summary>
    private protected abstract Task<Document> FixAsync(Document document, TDeclaration declaration, CancellationToken cancellationToken);
}
