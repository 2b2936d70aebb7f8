using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// The part every Throttle code fix shares: find the declaration a diagnostic points at, offer one fix for it under a
/// stable equivalence key, and Fix All. A fix says only its title and how it changes the document.
/// </summary>
/// <remarks>
/// Fix All applies the fixes of a document one after another, each on the result of the one before, instead of merging
/// independent text changes as the batch fixer does: two fixes that insert a field at the top of one type, or wrap
/// neighbouring statements, would otherwise collide and leave all but one undone.
/// </remarks>
/// <typeparam name="TDeclaration">The declaration the diagnostic is reported on.</typeparam>
public abstract class DeclarationCodeFixProvider<TDeclaration> : CodeFixProvider
    where TDeclaration : SyntaxNode
{
    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

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
            var declaration = Target(root, diagnostic);
            if (declaration is null || Unfinished(declaration) || Title(declaration, model, context.CancellationToken) is not { } title)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(title, cancellationToken => FixAsync(context.Document, declaration, cancellationToken), Key),
                diagnostic);
        }
    }

    /// <summary>
    /// Code still being typed (a syntax error inside what the fix copies or moves): a fix would copy the error along. A
    /// type counts only by its header, since adding <c>partial</c> copies nothing of its body.
    /// </summary>
    private protected static bool Unfinished(SyntaxNode node) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax type
        ? type.Modifiers.Any(m => m.ContainsDiagnostics) || type.Identifier.ContainsDiagnostics
        : node.ContainsDiagnostics;

    private static TDeclaration? Target(SyntaxNode root, Diagnostic diagnostic) =>
        root.FullSpan.Contains(diagnostic.Location.SourceSpan)
            ? root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<TDeclaration>()
            : null;

    /// <summary>Marks every reported declaration, then fixes them in turn, each found again by its mark in the latest document.</summary>
    private async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        var cancellationToken = context.CancellationToken;
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        var marks = new Dictionary<SyntaxNode, SyntaxAnnotation>();
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            if (Target(root, diagnostic) is { } target && !marks.ContainsKey(target))
            {
                marks.Add(target, new SyntaxAnnotation(Key));
            }
        }

        document = document.WithSyntaxRoot(root.ReplaceNodes(marks.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(marks[original])));
        foreach (var mark in marks.Values)
        {
            var current = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (current?.GetAnnotatedNodes(mark).OfType<TDeclaration>().FirstOrDefault() is { } declaration
                && model is not null
                && !Unfinished(declaration)
                && Title(declaration, model, cancellationToken) is not null)
            {
                document = await FixAsync(document, declaration, cancellationToken).ConfigureAwait(false);
            }
        }

        return document;
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
