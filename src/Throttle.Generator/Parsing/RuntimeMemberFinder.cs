using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Finds the runtime a method's sites run on, as the <c>[LoggerMessage]</c> generator finds an <c>ILogger</c> field: a
/// field or property of type <c>Throttle.ThrottleRuntime</c> that the method's type declares or can read from a base
/// type. An instance method looks, in turn, at instance members, at a primary-constructor parameter of that type, then at
/// static members; a static method looks at static members only. The first level with a candidate decides: one is
/// used, two or more are THR010 (the generator cannot choose). None at all: <c>ThrottleRuntime.Current</c> (null model).
/// </summary>
internal static class RuntimeMemberFinder
{
    public const string RuntimeType = "Throttle.ThrottleRuntime";

    public static RuntimeSourceModel? Find(
        IMethodSymbol method, MethodDeclarationSyntax declaration, MethodNames names, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var runtimeType = compilation.GetTypeByMetadataName(RuntimeType);
        if (runtimeType is null)
        {
            return null;
        }

        var type = method.ContainingType;
        var members = Candidates(type, runtimeType, compilation);
        var chosen = method.IsStatic ? [] : members.Where(m => !m.IsStatic).ToList();
        if (chosen.Count == 0 && !method.IsStatic)
        {
            chosen = PrimaryConstructorParameters(type, runtimeType);
            if (chosen.Count == 1)
            {
                return FromParameter(method, type, (IParameterSymbol)chosen[0], names, diagnostics);
            }
        }

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

        if (chosen.Count == 0)
        {
            return null;
        }

        var member = chosen[0];
        var memberType = member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type;
        return new RuntimeSourceModel(
            SymbolText.Identifier(member.Name),
            IsInstance: !member.IsStatic,
            IsNullable: memberType.NullableAnnotation == NullableAnnotation.Annotated,
            DisplayName: member.ContainingType.ToDisplayString(SymbolText.Dotted) + "." + member.Name);
    }

    /// <summary>
    /// A primary-constructor parameter is in scope in every partial declaration of the type, so the generated one reads it
    /// through a property of its own (the compiler then keeps the parameter in a hidden field). Not when the parameter also
    /// goes to the base constructor (captured twice, CS9107) or a member of its name hides it: THR011 says to keep it in a
    /// field instead, rather than fall back to ThrottleRuntime.Current without a word.
    /// </summary>
    private static RuntimeSourceModel? FromParameter(
        IMethodSymbol method, INamedTypeSymbol type, IParameterSymbol parameter, MethodNames names, List<DiagnosticInfo> diagnostics)
    {
        string? problem = null;
        if (!type.GetMembers(parameter.Name).IsEmpty)
        {
            problem = $"is hidden by the member '{parameter.Name}'";
        }
        else if (PassedToBase(type, parameter))
        {
            problem = "is passed to the base constructor (reading it as well would keep a second copy, CS9107)";
        }

        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.RuntimeParameterNotVisible,
                LocationInfo.From(parameter.Locations.FirstOrDefault() ?? Location.None),
                parameter.Name,
                type.ToDisplayString(SymbolText.Short),
                problem,
                method.Name));
            return null;
        }

        return new RuntimeSourceModel(
            "__throttleRuntime_" + names.MemberSuffix,
            IsInstance: true,
            IsNullable: parameter.Type.NullableAnnotation == NullableAnnotation.Annotated,
            DisplayName: $"{type.ToDisplayString(SymbolText.Dotted)}({parameter.Name})",
            PrimaryConstructorParameter: SymbolText.Identifier(parameter.Name));
    }

    private static bool PassedToBase(INamedTypeSymbol type, IParameterSymbol parameter) =>
        type.DeclaringSyntaxReferences
            .Select(reference => reference.GetSyntax())
            .OfType<TypeDeclarationSyntax>()
            .SelectMany(declaration => declaration.BaseList?.Types.OfType<PrimaryConstructorBaseTypeSyntax>() ?? Enumerable.Empty<PrimaryConstructorBaseTypeSyntax>())
            .SelectMany(baseType => baseType.ArgumentList.DescendantNodes().OfType<IdentifierNameSyntax>())
            .Any(name => name.Identifier.ValueText == parameter.Name);

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

    private static List<ISymbol> PrimaryConstructorParameters(INamedTypeSymbol type, INamedTypeSymbol runtimeType) =>
        type.InstanceConstructors
            .Where(constructor => constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax))
            .SelectMany(constructor => constructor.Parameters)
            .Where(p => SymbolEqualityComparer.Default.Equals(p.Type.OriginalDefinition, runtimeType))
            .Cast<ISymbol>()
            .ToList();
}
