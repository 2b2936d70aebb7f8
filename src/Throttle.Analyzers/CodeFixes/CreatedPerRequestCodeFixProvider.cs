using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Throttle.Analyzers.Pitfalls;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR904: makes the limiter or semaphore once (docs/diagnostics.md#thr904):
/// <list type="bullet">
/// <item>an instance field's initializer: the field becomes <c>static</c>;</item>
/// <item>a local of a minimal API handler lambda: its declaration moves before the statement that maps the handler,
/// which runs once, and the lambda captures it;</item>
/// <item>a local of a controller action: a <c>private static readonly</c> field, as THR901's fix.</item>
/// </list>
/// Not offered when the initializer uses what the new place lacks (the request's parameters or locals; an instance
/// member for a static field), when the name is taken where the declaration would go, or for a constructor's
/// assignment (whose field may be set from its parameters).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CreatedPerRequestCodeFixProvider))]
[Shared]
public sealed class CreatedPerRequestCodeFixProvider : DeclarationCodeFixProvider<BaseObjectCreationExpressionSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR904.CreateOnce";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(PitfallDescriptors.CreatedPerRequest.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    private protected override string? Title(BaseObjectCreationExpressionSyntax creation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (StaticField(creation, model, cancellationToken) is { } field)
        {
            return $"Make '{field.Declaration.Variables[0].Identifier.ValueText}' static";
        }

        if (HandlerLocal(creation, model, cancellationToken) is { } local)
        {
            return $"Create '{local.Variable.Identifier.ValueText}' once, before the handler is mapped";
        }

        return CreatedInWaitingCallCodeFixProvider.Target(creation, model, cancellationToken) is { } target
            ? $"Keep '{target.Variable.Identifier.ValueText}' in a static readonly field"
            : null;
    }

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, BaseObjectCreationExpressionSyntax creation, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        if (StaticField(creation, model, cancellationToken) is { } field)
        {
            var (modifiers, type) = AddStatic(field.Modifiers, field.Declaration.Type);
            return document.WithSyntaxRoot(root.ReplaceNode(field, field.WithModifiers(modifiers).WithDeclaration(field.Declaration.WithType(type))));
        }

        if (HandlerLocal(creation, model, cancellationToken) is { } local)
        {
            return await MoveBeforeMappingAsync(document, local, cancellationToken).ConfigureAwait(false);
        }

        return CreatedInWaitingCallCodeFixProvider.Target(creation, model, cancellationToken) is { } target
            ? await Hoisting.ToStaticFieldAsync(document, target.Statement, target.Variable, target.Type, target.Function, cancellationToken).ConfigureAwait(false)
            : document;
    }

    /// <summary>Moves the handler's local declaration before the statement that maps the handler.</summary>
    internal static async Task<Document> MoveBeforeMappingAsync(
        Document document, (LocalDeclarationStatementSyntax Statement, VariableDeclaratorSyntax Variable, StatementSyntax Anchor) local, CancellationToken cancellationToken)
    {
        {
            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var moved = local.Statement.WithLeadingTrivia().WithAdditionalAnnotations(Formatter.Annotation);
            editor.RemoveNode(local.Statement, SyntaxRemoveOptions.KeepUnbalancedDirectives);
            if (local.Anchor.Parent is GlobalStatementSyntax global)
            {
                editor.InsertBefore(global, SyntaxFactory.GlobalStatement(moved).WithLeadingTrivia(global.GetLeadingTrivia()));
            }
            else
            {
                editor.InsertBefore(local.Anchor, moved);
            }

            return await Hoisting.FormatAsync(editor.GetChangedDocument(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The instance field whose initializer this is, when it can become static.</summary>
    private static FieldDeclarationSyntax? StaticField(BaseObjectCreationExpressionSyntax creation, SemanticModel model, CancellationToken cancellationToken) =>
        creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: FieldDeclarationSyntax field } } }
        && !field.Modifiers.Any(SyntaxKind.StaticKeyword)
        && !field.Modifiers.Any(SyntaxKind.ConstKeyword)
        && !Hoisting.DependsOnCall(creation, model, scope: null, cancellationToken)
            ? field
            : null;

    /// <summary>A local of a mapped handler lambda and the statement (mapping the handler) to move it before.</summary>
    internal static (LocalDeclarationStatementSyntax Statement, VariableDeclaratorSyntax Variable, StatementSyntax Anchor)? HandlerLocal(
        BaseObjectCreationExpressionSyntax creation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (Hoisting.Declaration(creation) is not { } declaration
            || Functions.Enclosing(creation) is not AnonymousFunctionExpressionSyntax lambda
            || CreatedPerRequestAnalyzer.MapCall(lambda, model, cancellationToken) is not { } map
            || map.FirstAncestorOrSelf<StatementSyntax>() is not { } anchor
            || Hoisting.DependsOnCall(creation, model, lambda, cancellationToken, keepsInstance: true)
            || !model.LookupSymbols(anchor.SpanStart, name: declaration.Variable.Identifier.ValueText).IsEmpty)
        {
            return null;
        }

        return (declaration.Statement, declaration.Variable, anchor);
    }

    private static (SyntaxTokenList Modifiers, TypeSyntax Type) AddStatic(SyntaxTokenList modifiers, TypeSyntax type)
    {
        var staticKeyword = SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (modifiers.Count == 0)
        {
            return (SyntaxFactory.TokenList(staticKeyword.WithLeadingTrivia(type.GetLeadingTrivia())), type.WithoutLeadingTrivia());
        }

        // After the accessibility keywords: 'private static readonly'.
        var index = modifiers.TakeWhile(m => m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)
            || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PublicKeyword)).Count();
        if (index == 0)
        {
            return (modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia()).Insert(0, staticKeyword.WithLeadingTrivia(modifiers[0].LeadingTrivia)), type);
        }

        return (modifiers.Insert(index, staticKeyword), type);
    }
}
