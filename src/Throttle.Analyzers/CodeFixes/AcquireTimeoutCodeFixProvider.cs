using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR401: gives <c>[DistributedSemaphore]</c> an acquire timeout of <see cref="SuggestedSeconds"/> seconds, replacing an
/// explicit infinite one (docs/diagnostics.md#thr401).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AcquireTimeoutCodeFixProvider))]
[Shared]
public sealed class AcquireTimeoutCodeFixProvider : DeclarationCodeFixProvider<AttributeSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR401.AddAcquireTimeout";

    /// <summary>The timeout the fix writes: a starting point the user tunes, long enough for a slow holder, short enough to surface a stall.</summary>
    public const int SuggestedSeconds = 30;

    private const string OptionName = "AcquireTimeoutSeconds";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NoAcquireTimeout.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    private protected override string? Title(AttributeSyntax attribute, SemanticModel model, CancellationToken cancellationToken) =>
        $"Set {OptionName} = {SuggestedSeconds}";

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var value = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(SuggestedSeconds));
        var existing = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == OptionName);
        AttributeSyntax fixedAttribute;
        if (existing is not null)
        {
            fixedAttribute = attribute.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));
        }
        else
        {
            var argument = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(OptionName), SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)),
                nameColon: null,
                value);
            var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            var arguments = list.Arguments.Count == 0
                ? SyntaxFactory.SingletonSeparatedList(argument)
                : SyntaxFactory.SeparatedList(
                    list.Arguments.Append(argument),
                    list.Arguments.GetSeparators().Append(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space)));
            fixedAttribute = attribute.WithArgumentList(list.WithArguments(arguments));
        }

        return document.WithSyntaxRoot(root.ReplaceNode(attribute, fixedAttribute));
    }
}
