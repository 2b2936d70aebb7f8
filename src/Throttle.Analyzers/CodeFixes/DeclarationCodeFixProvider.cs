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
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not TDeclaration declaration || Title(declaration) is not { } title)
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

    /// <summary>The fix's title for <paramref name="declaration"/>, or null when this fix does not apply to it.</summary>
    private protected abstract string? Title(TDeclaration declaration);

    /// <summary>The document with <paramref name="declaration"/> fixed.</summary>
    private protected abstract Task<Document> FixAsync(Document document, TDeclaration declaration, CancellationToken cancellationToken);
}
