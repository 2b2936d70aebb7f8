using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Resolves a key path such as <c>userId</c> or <c>request.Tenant.Id</c> against the method's parameters and the
/// members readable from the containing type, into a <see cref="KeyPathModel"/>: which parameter, which members, and
/// where a null can occur along the way (the emitter tests there, so a null becomes the runtime's clear
/// ArgumentException, not a NullReferenceException).
/// </summary>
internal static class KeyPathResolver
{
    /// <returns>The resolved path, or null with <paramref name="error"/> saying what did not resolve.</returns>
    public static KeyPathModel? Resolve(string path, IMethodSymbol method, Compilation compilation, out string error)
    {
        error = string.Empty;
        var segments = path.Split('.');
        var parameter = method.Parameters.FirstOrDefault(p => p.Name == segments[0].Trim());
        if (parameter is null)
        {
            var names = method.Parameters.Length == 0 ? "it has none" : "it has " + string.Join(", ", method.Parameters.Select(p => p.Name));
            error = $"'{segments[0]}' is not a parameter of '{method.Name}' ({names})";
            return null;
        }

        var members = new List<KeyPathMember>();
        var type = parameter.Type;
        foreach (var raw in segments.Skip(1))
        {
            var name = raw.Trim();
            var lookupType = UnderlyingIfNullable(type, out _);
            var member = FindReadableMember(lookupType, name, method.ContainingType, compilation);
            if (member is null)
            {
                error = $"'{name}' is not a readable field or property of '{type.ToDisplayString(SymbolText.Short)}'";
                return null;
            }

            type = member switch
            {
                IPropertySymbol property => property.Type,
                IFieldSymbol field => field.Type,
                _ => type,
            };
            members.Add(new KeyPathMember(member.Name, MayBeNull(type)));
        }

        return new KeyPathModel(path, parameter.Name, MayBeNull(parameter.Type), new EquatableArray<KeyPathMember>(members));
    }

    private static bool MayBeNull(ITypeSymbol type) =>
        type.IsReferenceType
        || type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T }
        || type.TypeKind == TypeKind.TypeParameter && !type.IsValueType;

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
