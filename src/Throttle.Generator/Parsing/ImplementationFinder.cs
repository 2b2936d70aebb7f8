using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Throttle.Generator.Parsing;

/// <summary>Finds the user's implementation method by convention: <c>FetchAsync</c> → <c>FetchCoreAsync</c>, <c>Fetch</c> → <c>FetchCore</c>.</summary>
internal static class ImplementationFinder
{
    private const string AsyncSuffix = "Async";

    public static string CoreName(string methodName) =>
        methodName.EndsWith(AsyncSuffix, System.StringComparison.Ordinal) && methodName.Length > AsyncSuffix.Length
            ? methodName.Substring(0, methodName.Length - AsyncSuffix.Length) + "Core" + AsyncSuffix
            : methodName + "Core";

    /// <summary>
    /// The name of a body the user wrote for the Throttle method itself, or null: a body on the attributed declaration, or
    /// a second partial declaration with a body (its <see cref="IMethodSymbol.PartialImplementationPart"/>). The
    /// generator's own output is never part of the compilation it sees, so an implementation part found here is the user's.
    /// </summary>
    public static SyntaxToken? UserWrittenBody(IMethodSymbol method, MethodDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        if (declaration.Body is not null || declaration.ExpressionBody is not null)
        {
            return declaration.Identifier;
        }

        var implementation = method.PartialImplementationPart?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        return implementation is MethodDeclarationSyntax written ? written.Identifier : null;
    }

    /// <summary>The matching implementation, or null; <paramref name="candidate"/> is a same-named method that does not match.</summary>
    public static IMethodSymbol? Find(IMethodSymbol method, string coreName, out IMethodSymbol? candidate)
    {
        candidate = null;
        foreach (var member in method.ContainingType.GetMembers(coreName).OfType<IMethodSymbol>())
        {
            if (Matches(method, member))
            {
                return member;
            }

            candidate ??= member;
        }

        return null;
    }

    private static bool Matches(IMethodSymbol method, IMethodSymbol core)
    {
        if (core.MethodKind != MethodKind.Ordinary
            || core.TypeParameters.Length != method.TypeParameters.Length
            || core.Parameters.Length != method.Parameters.Length
            || (method.IsStatic && !core.IsStatic))
        {
            return false;
        }

        // Compare in terms of the wrapper's own type parameters.
        var constructed = core.TypeParameters.Length == 0 ? core : core.Construct(method.TypeParameters.Cast<ITypeSymbol>().ToArray());
        if (!SymbolEqualityComparer.Default.Equals(constructed.ReturnType, method.ReturnType)
            || constructed.ReturnsByRef != method.ReturnsByRef)
        {
            return false;
        }

        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var expected = method.Parameters[i];
            var actual = constructed.Parameters[i];
            if (!SymbolEqualityComparer.Default.Equals(expected.Type, actual.Type) || !SameRefKind(expected.RefKind, actual.RefKind))
            {
                return false;
            }
        }

        return true;
    }

    // The wrapper passes 'in' arguments by value, which an 'in' or a by-value implementation parameter both accept.
    private static bool SameRefKind(RefKind expected, RefKind actual) =>
        expected == actual || (expected == RefKind.In && actual == RefKind.None);
}
