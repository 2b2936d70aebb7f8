using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Resolves <c>[RateLimit(KeyMethod = nameof(...))]</c> to a method of the containing type (or a base type) that the
/// generated wrapper can call with some of its own arguments: each of the key method's parameters is a parameter of the
/// annotated method with the same name and type (any order, a subset, none at all); it returns a key (a string, or a value
/// <c>ThrottleKey</c> formats, never void, a task, a ref struct or a pointer); it is not generic; it is static, or an
/// instance method of an instance method's type; and it is accessible there. Overloads: the one that fits.
/// </summary>
internal static class KeyMethodResolver
{
    private static readonly string[] s_taskTypes =
    {
        "System.Threading.Tasks.Task", "System.Threading.Tasks.Task`1",
        "System.Threading.Tasks.ValueTask", "System.Threading.Tasks.ValueTask`1",
        "System.Collections.Generic.IAsyncEnumerable`1",
    };

    /// <returns>The key method, or null with the diagnostic added.</returns>
    public static KeyMethodModel? Resolve(
        string name, IMethodSymbol method, Compilation compilation, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        var candidates = Candidates(method.ContainingType, name.Trim()).ToList();
        if (candidates.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.KeyMethodNotFound, location, name, method.ContainingType.ToDisplayString(SymbolText.Short)));
            return null;
        }

        var checks = candidates.Select(candidate => (Candidate: candidate, Problem: Check(candidate, method, compilation))).ToList();
        var fitting = checks.Where(c => c.Problem is null).Select(c => c.Candidate).ToList();
        if (fitting.Count > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.KeyMethodNotCallable, location, name, method.Name, $"{fitting.Count} overloads fit; keep one, or give them different names"));
            return null;
        }

        if (fitting.Count == 0)
        {
            var (descriptor, arguments) = checks[0].Problem!.Value;
            diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
            return null;
        }

        var keyMethod = fitting[0];
        var parameterNames = keyMethod.Parameters.Select(p => p.Name).ToArray();
        return new KeyMethodModel(
            SymbolText.Identifier(keyMethod.Name),
            keyMethod.IsStatic,
            new EquatableArray<string>(parameterNames),
            $"{keyMethod.Name}({string.Join(", ", parameterNames)})");
    }

    private static IEnumerable<IMethodSymbol> Candidates(INamedTypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(name).OfType<IMethodSymbol>())
            {
                if (member.MethodKind == MethodKind.Ordinary)
                {
                    yield return member;
                }
            }
        }
    }

    /// <returns>Null when <paramref name="candidate"/> fits; else the diagnostic to report and its message arguments.</returns>
    private static (DiagnosticDescriptor Descriptor, string[] Arguments)? Check(IMethodSymbol candidate, IMethodSymbol method, Compilation compilation)
    {
        string[] Args(string reason) => new[] { candidate.Name, method.Name, reason };

        if (!compilation.IsSymbolAccessibleWithin(candidate, method.ContainingType))
        {
            return (DiagnosticDescriptors.KeyMethodNotCallable, Args($"it is {candidate.DeclaredAccessibility.ToString().ToLowerInvariant()} in '{candidate.ContainingType.ToDisplayString(SymbolText.Short)}'"));
        }

        if (!candidate.IsStatic && method.IsStatic)
        {
            return (DiagnosticDescriptors.KeyMethodNotCallable, Args($"it is an instance method and '{method.Name}' is static, so there is no instance to call it on; make it static"));
        }

        if (candidate.IsGenericMethod)
        {
            return (DiagnosticDescriptors.KeyMethodNotCallable, Args("it is generic; a key method takes no type parameters"));
        }

        foreach (var parameter in candidate.Parameters)
        {
            var own = method.Parameters.FirstOrDefault(p => p.Name == parameter.Name);
            string? reason = null;
            if (own is null)
            {
                var names = method.Parameters.Length == 0 ? "it has none" : "it has " + string.Join(", ", method.Parameters.Select(p => p.Name));
                reason = $"'{parameter.Name}' is not a parameter of '{method.Name}' ({names})";
            }
            else if (!SymbolEqualityComparer.Default.Equals(own.Type, parameter.Type))
            {
                reason = $"'{parameter.Name}' is '{parameter.Type.ToDisplayString(SymbolText.Short)}' here but '{own.Type.ToDisplayString(SymbolText.Short)}' in '{method.Name}'";
            }
            else if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                reason = $"'{parameter.Name}' is passed by '{(parameter.RefKind == RefKind.Ref ? "ref" : "out")}'";
            }

            if (reason is not null)
            {
                return (DiagnosticDescriptors.KeyMethodParameters, Args(reason));
            }
        }

        var returnType = candidate.ReturnType;
        var definition = returnType.OriginalDefinition;
        if (candidate.ReturnsVoid
            || candidate.ReturnsByRef
            || candidate.ReturnsByRefReadonly
            || returnType.IsRefLikeType
            || returnType.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer
            || s_taskTypes.Any(task => SymbolEqualityComparer.Default.Equals(definition, compilation.GetTypeByMetadataName(task))))
        {
            var text = (candidate.ReturnsByRef || candidate.ReturnsByRefReadonly ? "ref " : string.Empty) + returnType.ToDisplayString(SymbolText.Short);
            return (DiagnosticDescriptors.KeyMethodReturnType, new[] { candidate.Name, text });
        }

        return null;
    }
}
