using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>Reads an attribute's constant arguments and finds the syntax of each, so diagnostics point at it.</summary>
internal sealed class AttributeArguments
{
    private readonly AttributeData _data;
    private readonly AttributeSyntax? _syntax;
    private readonly string[] _positionalOptions;

    /// <param name="positionalOptions">The options the constructor's parameters set, in order (e.g. <c>Rate</c>).</param>
    public AttributeArguments(AttributeData data, params string[] positionalOptions)
    {
        _data = data;
        _syntax = data.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
        _positionalOptions = positionalOptions;
    }

    public LocationInfo? AttributeLocation => LocationInfo.From(_syntax);

    public bool Has(string name) => _data.NamedArguments.Any(a => a.Key == name);

    public T? Named<T>(string name, T? fallback)
    {
        foreach (var pair in _data.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind != TypedConstantKind.Error && pair.Value.Value is T value)
            {
                return value;
            }
        }

        return fallback;
    }

    /// <summary>The types of a <c>Type[]</c> named argument (<see langword="null"/> entries for <c>null</c> elements).</summary>
    public IEnumerable<ITypeSymbol?> NamedTypes(string name)
    {
        foreach (var pair in _data.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind == TypedConstantKind.Array && !pair.Value.IsNull)
            {
                foreach (var element in pair.Value.Values)
                {
                    yield return element.Value as ITypeSymbol;
                }
            }
        }
    }

    public object? Positional(int index) =>
        index < _data.ConstructorArguments.Length ? _data.ConstructorArguments[index].Value : null;

    public int PositionalCount => _data.ConstructorArguments.Length;

    /// <summary>The syntax that sets <paramref name="option"/>: its constructor argument or its named argument.</summary>
    public LocationInfo? OptionLocation(string option)
    {
        var index = System.Array.IndexOf(_positionalOptions, option);
        return index >= 0 ? PositionalLocation(index) : NamedLocation(option);
    }

    public LocationInfo? NamedLocation(string name)
    {
        var argument = _syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        return argument is null ? AttributeLocation : LocationInfo.From(argument.Expression);
    }

    public LocationInfo? PositionalLocation(int index)
    {
        var positional = _syntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToList();
        return positional is not null && index < positional.Count
            ? LocationInfo.From(positional[index].Expression)
            : AttributeLocation;
    }
}
