using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Throttle.Generator.Model;

/// <summary>
/// A source location that can travel through the cached pipeline: the syntax tree it is in and the span.
/// </summary>
/// <remarks>
/// The tree is kept (compared by reference) rather than its file path, because the compiler applies
/// <c>#pragma warning</c>, <c>.editorconfig</c> severities and <c>[SuppressMessage]</c> only to a diagnostic whose location
/// is in one of the compilation's trees (docs/diagnostics.md, "Suppressing a diagnostic"). An unchanged file keeps
/// its tree object from one compilation to the next, so results of untouched files stay equal and cached; an edited
/// file gets a new tree, and its diagnostics are reported again at the new positions.
/// </remarks>
internal sealed record LocationInfo(SyntaxTree Tree, TextSpan Span)
{
    public Location ToLocation() => Location.Create(Tree, Span);

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(SyntaxToken token) => From(token.GetLocation());

    public static LocationInfo? From(Location location) =>
        location.SourceTree is null ? null : new LocationInfo(location.SourceTree, location.SourceSpan);
}
