using System.Linq;
using Microsoft.CodeAnalysis;

namespace Throttle.Generator.Parsing;

/// <summary>The names derived from a method: its default key, a unique site id, and a suffix for generated members.</summary>
internal sealed class MethodNames
{
    public MethodNames(IMethodSymbol method)
    {
        // Overloads share a name; number them in declaration order so every generated member and file is unique.
        var overloads = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().ToList();
        var index = overloads.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method));
        var overloadSuffix = index > 0 ? "_" + index : string.Empty;

        DefaultKey = method.ContainingType.ToDisplayString(SymbolText.Dotted) + "." + method.Name;
        SiteId = index > 0 ? DefaultKey + "#" + index : DefaultKey;
        MemberSuffix = method.Name + overloadSuffix;
        HintName = HintPrefix(method.ContainingType) + "." + method.Name + overloadSuffix + ".Throttle.g.cs";
    }

    /// <summary><c>Namespace.Type.Method</c>: the key used when <c>Key</c> is not set.</summary>
    public string DefaultKey { get; }

    /// <summary>Unique name of the method, overload included.</summary>
    public string SiteId { get; }

    public string MemberSuffix { get; }

    public string HintName { get; }

    private static string HintPrefix(INamedTypeSymbol type)
    {
        var name = type.TypeParameters.Length == 0 ? type.Name : type.Name + "{" + string.Join(",", type.TypeParameters.Select(t => t.Name)) + "}";
        if (type.ContainingType is { } outer)
        {
            return HintPrefix(outer) + "." + name;
        }

        return type.ContainingNamespace.IsGlobalNamespace ? name : type.ContainingNamespace.ToDisplayString() + "." + name;
    }
}
