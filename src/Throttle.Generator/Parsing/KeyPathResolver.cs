using System.Linq;
using Microsoft.CodeAnalysis;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Resolves a key path such as <c>userId</c> or <c>request.Tenant.Id</c> against the method's parameters and the
/// members readable from the containing type, and writes the C# expression that evaluates it without throwing on null.
/// </summary>
internal static class KeyPathResolver
{
    /// <returns>The expression, or null with <paramref name="error"/> saying what did not resolve.</returns>
    /// <param name="nullTestedParameter">
    /// The parameter the expression applies <c>?.</c> to, if any: the compiler's flow analysis then thinks it may be
    /// null, so generated code forwards it with <c>!</c>.
    /// </param>
    public static string? Resolve(string path, IMethodSymbol method, Compilation compilation, out string error, out string? nullTestedParameter)
    {
        error = string.Empty;
        nullTestedParameter = null;
        var segments = path.Split('.');
        var parameter = method.Parameters.FirstOrDefault(p => p.Name == segments[0].Trim());
        if (parameter is null)
        {
            var names = method.Parameters.Length == 0 ? "it has none" : "it has " + string.Join(", ", method.Parameters.Select(p => p.Name));
            error = $"'{segments[0]}' is not a parameter of '{method.Name}' ({names})";
            return null;
        }

        var expression = SymbolText.Identifier(parameter.Name);
        var type = parameter.Type;
        foreach (var raw in segments.Skip(1))
        {
            var name = raw.Trim();
            var lookupType = UnderlyingIfNullable(type, out var isNullableValue);
            var member = FindReadableMember(lookupType, name, method.ContainingType, compilation);
            if (member is null)
            {
                error = $"'{name}' is not a readable field or property of '{type.ToDisplayString(SymbolText.Short)}'";
                return null;
            }

            // ?. on anything that can be null, so a null along the path becomes a clear ArgumentException, not a NullReferenceException.
            var canBeNull = type.IsReferenceType || isNullableValue || type.TypeKind == TypeKind.TypeParameter && !type.IsValueType;
            if (canBeNull && !isNullableValue && ReferenceEquals(type, parameter.Type))
            {
                nullTestedParameter = SymbolText.Identifier(parameter.Name);
            }

            expression += (canBeNull ? "?." : ".") + SymbolText.Identifier(member.Name);
            type = member switch
            {
                IPropertySymbol property => property.Type,
                IFieldSymbol field => field.Type,
                _ => type,
            };
        }

        return expression;
    }

    private static ITypeSymbol UnderlyingIfNullable(ITypeSymbol type, out bool isNullableValue)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            isNullableValue = true;
            return nullable.TypeArguments[0];
        }

        isNullableValue = false;
        return type;
    }

    private static ISymbol? FindReadableMember(ITypeSymbol type, string name, INamedTypeSymbol within, Compilation compilation)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name))
            {
                var readable = member switch
                {
                    IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: { } getter } => compilation.IsSymbolAccessibleWithin(getter, within),
                    IFieldSymbol { IsStatic: false } field => compilation.IsSymbolAccessibleWithin(field, within),
                    _ => false,
                };
                if (readable)
                {
                    return member;
                }
            }
        }

        // Interfaces have no base type: look through the ones inherited, and a type parameter's constraints.
        var inherited = type is ITypeParameterSymbol parameter
            ? parameter.ConstraintTypes.SelectMany(c => c.AllInterfaces.Cast<ITypeSymbol>().Prepend(c))
            : type.AllInterfaces.Cast<ITypeSymbol>();
        return inherited
            .Select(candidate => FindReadableMember(candidate, name, within, compilation))
            .FirstOrDefault(member => member is not null);
    }
}
