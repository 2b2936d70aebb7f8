using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Finds the runtime a method's sites run on, as the <c>[LoggerMessage]</c> generator finds an <c>ILogger</c> field: the
/// one field or property of type <c>Throttle.ThrottleRuntime</c> that the method's type declares or can read from a base
/// type. An instance method looks at instance members, then (when it has none) at static members; a static method looks
/// at static members only. None: <c>ThrottleRuntime.Current</c> (null model). Two or more at the first level that has
/// any: THR010, since the generator cannot choose.
/// </summary>
internal static class RuntimeMemberFinder
{
    public const string RuntimeType = "Throttle.ThrottleRuntime";

    public static RuntimeSourceModel? Find(
        IMethodSymbol method, MethodDeclarationSyntax declaration, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var runtimeType = compilation.GetTypeByMetadataName(RuntimeType);
        if (runtimeType is null)
        {
            return null;
        }

        var type = method.ContainingType;
        var members = Candidates(type, runtimeType, compilation);
        var chosen = method.IsStatic ? [] : members.Where(m => !m.IsStatic).ToList();
        if (chosen.Count == 0)
        {
            chosen = members.Where(m => m.IsStatic).ToList();
        }

        if (chosen.Count > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.AmbiguousRuntime,
                LocationInfo.From(declaration.Identifier),
                method.Name,
                string.Join(", ", chosen.Select(m => "'" + m.Name + "'")),
                type.ToDisplayString(SymbolText.Short)));
            return null;
        }

        if (chosen.Count == 1)
        {
            var member = chosen[0];
            var memberType = member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type;
            return new RuntimeSourceModel(
                SymbolText.Identifier(member.Name),
                IsInstance: !member.IsStatic,
                IsNullable: memberType.NullableAnnotation == NullableAnnotation.Annotated,
                DisplayName: member.ContainingType.ToDisplayString(SymbolText.Dotted) + "." + member.Name);
        }

        // A primary-constructor parameter is in scope only in the declaration that has the parameter list, never in the
        // generated one: say so rather than fall back to ThrottleRuntime.Current without a word.
        if (!method.IsStatic && PrimaryConstructorParameter(type, runtimeType) is { } parameter)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.RuntimeParameterNotVisible,
                LocationInfo.From(parameter.Locations.FirstOrDefault() ?? Location.None),
                parameter.Name,
                type.ToDisplayString(SymbolText.Short),
                method.Name));
        }

        return null;
    }

    /// <summary>
    /// Every field and readable property of type ThrottleRuntime that the type declares or inherits and may read,
    /// most derived first; a member hidden by a more derived one of the same name is left out.
    /// </summary>
    private static List<ISymbol> Candidates(INamedTypeSymbol type, INamedTypeSymbol runtimeType, Compilation compilation)
    {
        var found = new List<ISymbol>();
        var names = new HashSet<string>();
        for (var current = type; current is not null; current = current.BaseType)
        {
            var declared = current.GetMembers().Where(m => !m.IsImplicitlyDeclared).ToList();
            foreach (var member in declared)
            {
                if (names.Contains(member.Name))
                {
                    continue; // hidden by a member of a more derived type
                }

                var memberType = member switch
                {
                    IFieldSymbol field => field.Type,
                    IPropertySymbol { IsIndexer: false, ReturnsByRef: false, ReturnsByRefReadonly: false, GetMethod: { } getter } property
                        when compilation.IsSymbolAccessibleWithin(getter, type, type) => property.Type,
                    _ => null,
                };
                if (memberType is not null
                    && SymbolEqualityComparer.Default.Equals(memberType.OriginalDefinition, runtimeType)
                    && (ReferenceEquals(current, type) || compilation.IsSymbolAccessibleWithin(member, type, type)))
                {
                    found.Add(member);
                }
            }

            names.UnionWith(declared.Select(m => m.Name));
        }

        return found;
    }

    private static IParameterSymbol? PrimaryConstructorParameter(INamedTypeSymbol type, INamedTypeSymbol runtimeType) =>
        type.InstanceConstructors
            .Where(constructor => constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax))
            .SelectMany(constructor => constructor.Parameters)
            .FirstOrDefault(p => SymbolEqualityComparer.Default.Equals(p.Type.OriginalDefinition, runtimeType));
}
