using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>The function (method, accessor, lambda, local function, or the top-level statements) a piece of code runs in.</summary>
internal static class Functions
{
    /// <summary>The innermost function around <paramref name="node"/>: what runs once each time it is called.</summary>
    public static SyntaxNode? Enclosing(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case AnonymousFunctionExpressionSyntax:
                case LocalFunctionStatementSyntax:
                case BaseMethodDeclarationSyntax:
                case AccessorDeclarationSyntax:
                case ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax }:
                case CompilationUnitSyntax:
                    return current;
                case FieldDeclarationSyntax or EventFieldDeclarationSyntax or PropertyDeclarationSyntax or ParameterSyntax:
                    // An initializer: runs per instance (or once, if static), not per call.
                    return null;
            }
        }

        return null;
    }

    public static bool IsAsync(SyntaxNode? function) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword),
        LocalFunctionStatementSyntax local => local.Modifiers.Any(SyntaxKind.AsyncKeyword),
        MethodDeclarationSyntax method => method.Modifiers.Any(SyntaxKind.AsyncKeyword),
        _ => false,
    };

    /// <summary>Whether <paramref name="node"/> runs in a <c>finally</c> block of <paramref name="function"/> (not of a nested function).</summary>
    public static bool InFinally(SyntaxNode node, SyntaxNode function)
    {
        for (var current = node.Parent; current is not null && current != function; current = current.Parent)
        {
            if (current is FinallyClauseSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parameters of <paramref name="function"/> as written.</summary>
    public static ParameterListSyntax? Parameters(SyntaxNode function) => function switch
    {
        ParenthesizedLambdaExpressionSyntax lambda => lambda.ParameterList,
        AnonymousMethodExpressionSyntax anonymous => anonymous.ParameterList,
        LocalFunctionStatementSyntax local => local.ParameterList,
        BaseMethodDeclarationSyntax method => method.ParameterList,
        _ => null,
    };

    /// <summary>Whether the code is the program's entry point (top-level statements or Main), which runs once.</summary>
    public static bool RunsOnce(SyntaxNode function, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        if (function is CompilationUnitSyntax)
        {
            return true;
        }

        return function is MethodDeclarationSyntax method
            && model.GetDeclaredSymbol(method, cancellationToken) is { } symbol
            && SymbolEqualityComparer.Default.Equals(model.Compilation.GetEntryPoint(cancellationToken), symbol);
    }
}
