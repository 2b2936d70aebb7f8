using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Throttle.Generator.Parsing;

/// <summary>Writes a method's type parameter constraints: the implementing part of a partial method must repeat them.</summary>
internal static class ConstraintWriter
{
    public static IEnumerable<string> Clauses(IMethodSymbol method)
    {
        foreach (var parameter in method.TypeParameters)
        {
            var parts = new List<string>();
            if (parameter.HasUnmanagedTypeConstraint)
            {
                parts.Add("unmanaged");
            }
            else if (parameter.HasValueTypeConstraint)
            {
                parts.Add("struct");
            }
            else if (parameter.HasReferenceTypeConstraint)
            {
                parts.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (parameter.HasNotNullConstraint)
            {
                parts.Add("notnull");
            }

            foreach (var type in parameter.ConstraintTypes)
            {
                parts.Add(type.ToDisplayString(SymbolText.Qualified));
            }

            if (parameter.HasConstructorConstraint && !parameter.HasValueTypeConstraint)
            {
                parts.Add("new()");
            }

            if (parts.Count > 0)
            {
                yield return $"where {parameter.Name} : {string.Join(", ", parts)}";
            }
        }
    }
}
