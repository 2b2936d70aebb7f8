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
/// THR001: makes the attributed method a <c>partial</c> declaration. A body it had moves into the implementation
/// method (<c>FetchAsync</c> → <c>FetchCoreAsync</c>), placed right after it, as docs/diagnostics.md#thr001 shows.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MethodNotPartialCodeFixProvider))]
[Shared]
public sealed class MethodNotPartialCodeFixProvider : DeclarationCodeFixProvider<MethodDeclarationSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR001.AddPartialToMethod";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MethodNotPartial.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    /// <remarks>
    /// A body cannot move into an implementation method that exists already (or into a name another member holds): the
    /// fix would write a duplicate. Then it offers nothing; which of the two bodies to keep is the user's call.
    /// </remarks>
    private protected override string? Title(MethodDeclarationSyntax method, SemanticModel model, CancellationToken cancellationToken)
    {
        if (!HasBody(method))
        {
            return "Add 'partial' to the method";
        }

        var coreName = ImplementationFinder.CoreName(method.Identifier.ValueText);
        return Members.Declares(model, method, coreName, cancellationToken) ? null : $"Make '{method.Identifier.ValueText}' partial and move its body to '{coreName}'";
    }

    private static bool HasBody(MethodDeclarationSyntax method) => method.Body is not null || method.ExpressionBody is not null;

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        if (!HasBody(method))
        {
            return document.WithSyntaxRoot(root.ReplaceNode(method, Declaration(method)));
        }

        // The declaration ends where the body began; the body's line ending moves onto the semicolon.
        var bodyStart = (SyntaxNode?)method.Body ?? method.ExpressionBody!;
        var beforeBody = bodyStart.GetFirstToken().GetPreviousToken();
        var declaration = Declaration(method.ReplaceToken(beforeBody, beforeBody.WithTrailingTrivia()))
            .WithBody(null)
            .WithExpressionBody(null)
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken).WithTrailingTrivia(method.GetLastToken().TrailingTrivia));

        return document.WithSyntaxRoot(root.ReplaceNode(method, new SyntaxNode[] { declaration, Implementation(method) }));
    }

    /// <summary>The method with <c>partial</c> (and <c>private</c> where it had no accessibility, which C# requires of a non-void partial); <c>async</c> stays with the body.</summary>
    private static MethodDeclarationSyntax Declaration(MethodDeclarationSyntax method)
    {
        var kept = method.Modifiers.Where(m => !m.IsKind(SyntaxKind.AsyncKeyword)).ToList();
        var leading = method.Modifiers.Count > 0 ? method.Modifiers[0].LeadingTrivia : method.ReturnType.GetLeadingTrivia();
        var returnType = method.ReturnType;
        if (!Modifiers.HasAccessibility(method.Modifiers))
        {
            kept.Insert(0, SyntaxFactory.Token(SyntaxKind.PrivateKeyword).WithTrailingTrivia(SyntaxFactory.Space));
            if (method.Modifiers.Count == 0)
            {
                returnType = returnType.WithoutLeadingTrivia();
            }
        }

        if (kept.Count > 0)
        {
            kept[0] = kept[0].WithLeadingTrivia(leading);
        }

        var (modifiers, firstOfType) = Modifiers.AddPartial(SyntaxFactory.TokenList(kept), returnType.GetFirstToken());
        returnType = returnType.ReplaceToken(returnType.GetFirstToken(), firstOfType);
        return method.WithModifiers(modifiers).WithReturnType(returnType);
    }

    /// <summary>The implementation method: private, static and async as the original was, same signature, the original body, no attributes.</summary>
    private static MethodDeclarationSyntax Implementation(MethodDeclarationSyntax method)
    {
        var modifiers = new List<SyntaxToken> { SyntaxFactory.Token(SyntaxKind.PrivateKeyword) };
        foreach (var kind in new[] { SyntaxKind.StaticKeyword, SyntaxKind.UnsafeKeyword, SyntaxKind.AsyncKeyword })
        {
            if (method.Modifiers.Any(kind))
            {
                modifiers.Add(SyntaxFactory.Token(kind));
            }
        }

        modifiers = modifiers.Select(m => m.WithTrailingTrivia(SyntaxFactory.Space)).ToList();
        modifiers[0] = modifiers[0].WithLeadingTrivia(Modifiers.BlankLineBefore(method));

        var name = ImplementationFinder.CoreName(method.Identifier.ValueText);
        return method
            .WithAttributeLists(default)
            .WithModifiers(SyntaxFactory.TokenList(modifiers))
            .WithReturnType(method.ReturnType.WithoutLeadingTrivia())
            .WithIdentifier(SyntaxFactory.Identifier(method.Identifier.LeadingTrivia, name, method.Identifier.TrailingTrivia));
    }
}
