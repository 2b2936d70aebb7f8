using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Throttle.Generator.Parsing;

/// <summary>How symbols and constants are written into generated code and messages.</summary>
internal static class SymbolText
{
    /// <summary><c>global::</c>-qualified, with nullable annotations: for generated code.</summary>
    public static readonly SymbolDisplayFormat Qualified = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Short names with keywords: for messages a user reads.</summary>
    public static readonly SymbolDisplayFormat Short = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>A dotted name without type arguments or <c>global::</c>, e.g. <c>MyApp.Outer.Client</c>.</summary>
    public static readonly SymbolDisplayFormat Dotted = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.None);

    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) == SyntaxKind.UnderscoreToken
            ? "@" + name
            : name;

    public static string Literal(string? value) =>
        value is null ? "null" : SymbolDisplay.FormatLiteral(value, quote: true);

    public static string Literal(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "double.PositiveInfinity";
        }

        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        return value.ToString("R", CultureInfo.InvariantCulture) + "d";
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string TypeParameterList(IMethodSymbol method) =>
        method.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", method.TypeParameters.Select(t => t.Name)) + ">";

    /// <summary>The method's signature as a user would write the implementation method.</summary>
    public static string ExpectedImplementation(IMethodSymbol method, string coreName)
    {
        var parameters = string.Join(", ", method.Parameters.Select(p => ParameterPrefix(p) + p.Type.ToDisplayString(Short) + " " + p.Name));
        var isStatic = method.IsStatic ? "static " : string.Empty;
        return $"private {isStatic}{method.ReturnType.ToDisplayString(Short)} {coreName}{TypeParameterList(method)}({parameters})";
    }

    private static string ParameterPrefix(IParameterSymbol parameter) => parameter.RefKind switch
    {
        RefKind.In => "in ",
        RefKind.Ref => "ref ",
        RefKind.Out => "out ",
        _ => parameter.IsParams ? "params " : string.Empty,
    };
}
