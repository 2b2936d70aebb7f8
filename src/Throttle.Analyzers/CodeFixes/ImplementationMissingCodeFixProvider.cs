using System.Collections.Generic;
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
using Throttle.Generator.Parsing;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR003: writes the implementation method the generated body calls (<c>FetchAsync</c> → <c>FetchCoreAsync</c>) right
/// after the declaration: private, static if the declaration is, the same return type, type parameters, constraints and
/// parameters as written, and a body that throws <see cref="System.NotImplementedException"/> until the user writes it
/// (docs/diagnostics.md#thr003).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ImplementationMissingCodeFixProvider))]
[Shared]
public sealed class ImplementationMissingCodeFixProvider : DeclarationCodeFixProvider<MethodDeclarationSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR003.AddImplementationMethod";

    private const string ExceptionName = "NotImplementedException";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.ImplementationMissing.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    /// <remarks>
    /// A declaration with a body is THR008's to fix, never this one's. Nor is a type that already has a member of the
    /// implementation's name (a property or field <c>FetchCore</c>: the generator finds no method, but a second member of
    /// that name would not compile).
    /// </remarks>
    private protected override string? Title(MethodDeclarationSyntax method, SemanticModel model, CancellationToken cancellationToken)
    {
        var coreName = ImplementationFinder.CoreName(method.Identifier.ValueText);
        return method is { Body: null, ExpressionBody: null } && !Members.Declares(model, method, coreName, cancellationToken)
            ? $"Add the implementation method '{coreName}'"
            : null;
    }

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        // The short name where 'using System;' brings it in, the qualified one where it does not (or something else wins).
        var inScope = model.LookupNamespacesAndTypes(method.SpanStart, name: ExceptionName);
        var exception = inScope.Length == 1 && inScope[0].ToDisplayString() == "System." + ExceptionName ? ExceptionName : "System." + ExceptionName;

        var implementation = method
            .WithAttributeLists(default)
            .WithModifiers(ImplementationModifiers(method))
            .WithReturnType(method.ReturnType.WithoutLeadingTrivia())
            .WithIdentifier(SyntaxFactory.Identifier(method.Identifier.LeadingTrivia, ImplementationFinder.CoreName(method.Identifier.ValueText), method.Identifier.TrailingTrivia))
            .WithExpressionBody(SyntaxFactory.ArrowExpressionClause(
                SyntaxFactory.Token(SyntaxKind.EqualsGreaterThanToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space),
                SyntaxFactory.ThrowExpression(
                    SyntaxFactory.Token(SyntaxKind.ThrowKeyword).WithTrailingTrivia(SyntaxFactory.Space),
                    SyntaxFactory.ParseExpression("new " + exception + "()"))))
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(method.SemicolonToken.TrailingTrivia));

        return document.WithSyntaxRoot(root.ReplaceNode(method, new SyntaxNode[] { method, implementation }));
    }

    /// <summary><c>private</c>, then <c>static</c> and <c>unsafe</c> as on the declaration; a blank line and its indentation before.</summary>
    private static SyntaxTokenList ImplementationModifiers(MethodDeclarationSyntax method)
    {
        var modifiers = new List<SyntaxToken> { SyntaxFactory.Token(SyntaxKind.PrivateKeyword) };
        foreach (var kind in new[] { SyntaxKind.StaticKeyword, SyntaxKind.UnsafeKeyword })
        {
            if (method.Modifiers.Any(kind))
            {
                modifiers.Add(SyntaxFactory.Token(kind));
            }
        }

        modifiers = modifiers.Select(m => m.WithTrailingTrivia(SyntaxFactory.Space)).ToList();
        modifiers[0] = modifiers[0].WithLeadingTrivia(Modifiers.BlankLineBefore(method));
        return SyntaxFactory.TokenList(modifiers);
    }
}
