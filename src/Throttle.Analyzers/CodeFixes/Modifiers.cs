using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>Edits of a declaration's modifier list that keep the surrounding trivia (indentation, comments) in place.</summary>
internal static class Modifiers
{
    /// <summary>
    /// Appends <c>partial</c>: C# wants it last, just before the type keyword or the return type (<paramref name="next"/>).
    /// With no modifiers, the leading trivia of <paramref name="next"/> moves onto the new keyword.
    /// </summary>
    public static (SyntaxTokenList Modifiers, SyntaxToken Next) AddPartial(SyntaxTokenList modifiers, SyntaxToken next)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (modifiers.Count == 0)
        {
            return (SyntaxFactory.TokenList(partial.WithLeadingTrivia(next.LeadingTrivia)), next.WithLeadingTrivia());
        }

        return (modifiers.Add(partial), next);
    }

    /// <summary>The leading trivia of a member inserted after <paramref name="member"/>: a blank line, then the member's indentation.</summary>
    public static SyntaxTriviaList BlankLineBefore(SyntaxNode member)
    {
        var existing = member.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        var leading = SyntaxFactory.TriviaList(existing.IsKind(SyntaxKind.EndOfLineTrivia) ? existing : SyntaxFactory.EndOfLine("\n"));
        var indentation = member.GetFirstToken().LeadingTrivia.LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        return indentation.IsKind(SyntaxKind.WhitespaceTrivia) ? leading.Add(indentation) : leading;
    }

    public static bool HasAccessibility(SyntaxTokenList modifiers) =>
        modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.PrivateKeyword)
            || m.IsKind(SyntaxKind.ProtectedKeyword) || m.IsKind(SyntaxKind.InternalKeyword));
}
