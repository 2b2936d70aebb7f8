using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>Moving a semaphore or limiter made per call to where it is made once: a static readonly field, or before the statement that maps a handler.</summary>
internal static class Hoisting
{
    /// <summary>The local declaration of one variable initialized by <paramref name="creation"/>, or null.</summary>
    public static (LocalDeclarationStatementSyntax Statement, VariableDeclaratorSyntax Variable)? Declaration(ExpressionSyntax creation) =>
        creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax variable }
        && variable.Parent is VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax statement }
            ? (statement, variable)
            : null;

    /// <summary>
    /// Whether <paramref name="expression"/> uses something of the call it runs in: <c>this</c>, an instance member, a
    /// local, a parameter or a method type parameter (declared inside <paramref name="scope"/>, or anywhere when null).
    /// Such an initializer cannot move out of the call.
    /// </summary>
    /// <remarks>With <paramref name="keepsInstance"/>, the code moves within the same instance, so <c>this</c> and its members may stay.</remarks>
    public static bool DependsOnCall(ExpressionSyntax expression, SemanticModel model, SyntaxNode? scope, CancellationToken cancellationToken, bool keepsInstance = false)
    {
        foreach (var node in expression.DescendantNodesAndSelf())
        {
            if (node is ThisExpressionSyntax or BaseExpressionSyntax && !keepsInstance)
            {
                return true;
            }

            if (node is not SimpleNameSyntax name
                || name.Parent is NameColonSyntax
                || (name.Parent is MemberAccessExpressionSyntax access && access.Name == name)
                || (name.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax } assignment && assignment.Left == name))
            {
                continue;
            }

            var symbol = model.GetSymbolInfo(name, cancellationToken).Symbol;
            switch (symbol)
            {
                case ILocalSymbol or IParameterSymbol or IRangeVariableSymbol:
                    if (scope is null || symbol.DeclaringSyntaxReferences.Any(r => scope.Span.Contains(r.Span)))
                    {
                        return true;
                    }

                    break;
                case ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method }:
                    return true;
                case IFieldSymbol { IsStatic: false, IsConst: false } or IPropertySymbol { IsStatic: false } or IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary } or IEventSymbol { IsStatic: false }
                    when !keepsInstance:
                    return true;
            }
        }

        return false;
    }

    /// <summary>A <c>s_name</c> not yet used by a member of <paramref name="type"/>.</summary>
    public static string FieldName(INamedTypeSymbol type, string localName)
    {
        var baseName = "s_" + localName.TrimStart('_', '@');
        var name = baseName;
        for (var i = 2; type.GetMembers(name).Any(); i++)
        {
            name = baseName + i;
        }

        return name;
    }

    /// <summary>
    /// Replaces the local declared by <paramref name="statement"/> with a <c>private static readonly</c> field at the top of
    /// <paramref name="type"/>, initialized as the local was; every use of the local in <paramref name="function"/> reads the field.
    /// </summary>
    public static async Task<Document> ToStaticFieldAsync(
        Document document, LocalDeclarationStatementSyntax statement, VariableDeclaratorSyntax variable, TypeDeclarationSyntax type, SyntaxNode function, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model?.GetDeclaredSymbol(variable, cancellationToken) is not ILocalSymbol local
            || model.GetDeclaredSymbol(type, cancellationToken) is not INamedTypeSymbol typeSymbol
            || variable.Initializer is not { } initializer)
        {
            return document;
        }

        var name = FieldName(typeSymbol, local.Name);
        var declaredType = statement.Declaration.Type.IsVar
            ? SyntaxFactory.ParseTypeName(local.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithAdditionalAnnotations(Simplifier.Annotation)
            : statement.Declaration.Type.WithoutTrivia();
        var field = SyntaxFactory.FieldDeclaration(
                SyntaxFactory.VariableDeclaration(
                    declaredType,
                    SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name)).WithInitializer(initializer.WithoutTrivia()))))
            .WithModifiers(SyntaxFactory.TokenList(
                SyntaxFactory.Token(SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.StaticKeyword), SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword)))
            .WithAdditionalAnnotations(Formatter.Annotation);

        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        foreach (var use in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (use.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(use, cancellationToken).Symbol, local))
            {
                editor.ReplaceNode(use, SyntaxFactory.IdentifierName(name).WithTriviaFrom(use));
            }
        }

        editor.RemoveNode(statement, SyntaxRemoveOptions.KeepUnbalancedDirectives);
        editor.InsertMembers(type, 0, new[] { field });
        return await FormatAsync(editor.GetChangedDocument(), cancellationToken).ConfigureAwait(false);
    }

    public static async Task<Document> FormatAsync(Document document, CancellationToken cancellationToken)
    {
        var simplified = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(simplified, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
