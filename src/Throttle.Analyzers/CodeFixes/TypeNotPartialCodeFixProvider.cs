using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR002: adds <c>partial</c> to the reported type and to every type around it that lacks it, since the generator
/// adds a part to each of them (docs/diagnostics.md#thr002).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TypeNotPartialCodeFixProvider))]
[Shared]
public sealed class TypeNotPartialCodeFixProvider : DeclarationCodeFixProvider<TypeDeclarationSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR002.AddPartialToTypes";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.TypeNotPartial.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    private protected override string? Title(TypeDeclarationSyntax type, SemanticModel model, CancellationToken cancellationToken) =>
        "Add 'partial' to the containing types";

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, TypeDeclarationSyntax reported, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var lacking = reported.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword));
        var fixedRoot = root.ReplaceNodes(lacking, (_, rewritten) =>
        {
            var (modifiers, keyword) = Modifiers.AddPartial(rewritten.Modifiers, rewritten.Keyword);
            return rewritten.WithModifiers(modifiers).WithKeyword(keyword);
        });
        return document.WithSyntaxRoot(fixedRoot);
    }
}
