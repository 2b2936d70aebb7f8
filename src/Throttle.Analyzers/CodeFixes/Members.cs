using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>Questions a fix asks about the members of the type it edits.</summary>
internal static class Members
{
    /// <summary>Whether the type of <paramref name="member"/> (any of its parts) already has a member named <paramref name="name"/>.</summary>
    public static bool Declares(SemanticModel model, MemberDeclarationSyntax member, string name, CancellationToken cancellationToken) =>
        model.GetDeclaredSymbol(member, cancellationToken)?.ContainingType is { } type && type.GetMembers(name).Any();
}
