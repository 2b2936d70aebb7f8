using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Analyzers.Pitfalls;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR901: moves the semaphore or limiter into a <c>private static readonly</c> field of the type, made once and
/// shared by every call (docs/diagnostics.md#thr901). Offered when the local is declared alone and its initializer uses
/// nothing of the call (no parameter, local, <c>this</c> or instance member); otherwise the message's other advice
/// (the attribute) is the way. In a minimal API handler lambda it moves the declaration before the mapping instead.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CreatedInWaitingCallCodeFixProvider))]
[Shared]
public sealed class CreatedInWaitingCallCodeFixProvider : DeclarationCodeFixProvider<BaseObjectCreationExpressionSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR901.HoistToStaticField";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(PitfallDescriptors.CreatedInWaitingCall.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    private protected override string? Title(BaseObjectCreationExpressionSyntax creation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (CreatedPerRequestCodeFixProvider.HandlerLocal(creation, model, cancellationToken) is { } local)
        {
            return $"Create '{local.Variable.Identifier.ValueText}' once, before the handler is mapped";
        }

        return Target(creation, model, cancellationToken) is { } target ? $"Keep '{target.Variable.Identifier.ValueText}' in a static readonly field" : null;
    }

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, BaseObjectCreationExpressionSyntax creation, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is not null && CreatedPerRequestCodeFixProvider.HandlerLocal(creation, model, cancellationToken) is { } local)
        {
            return await CreatedPerRequestCodeFixProvider.MoveBeforeMappingAsync(document, local, cancellationToken).ConfigureAwait(false);
        }

        return model is not null && Target(creation, model, cancellationToken) is { } target
            ? await Hoisting.ToStaticFieldAsync(document, target.Statement, target.Variable, target.Type, target.Function, cancellationToken).ConfigureAwait(false)
            : document;
    }

    internal static (LocalDeclarationStatementSyntax Statement, VariableDeclaratorSyntax Variable, TypeDeclarationSyntax Type, SyntaxNode Function)? Target(
        BaseObjectCreationExpressionSyntax creation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (Hoisting.Declaration(creation) is not { } declaration
            || Functions.Enclosing(creation) is not { } function
            || creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type
            || type is InterfaceDeclarationSyntax
            || Hoisting.DependsOnCall(creation, model, scope: null, cancellationToken))
        {
            return null;
        }

        return (declaration.Statement, declaration.Variable, type, function);
    }
}
