using System.Text;
using Throttle.Generator.Model;
using Throttle.Generator.Parsing;

namespace Throttle.Generator.Emitting;

/// <summary>
/// Writes the expression that turns a <see cref="KeyPathModel"/> into a key string: the path read with <c>?.</c>
/// wherever a value along it may be null, passed to <c>ThrottleKey.From</c>, which rejects a null or empty result
/// naming the path.
/// </summary>
internal static class KeyPathWriter
{
    /// <param name="key">The resolved path.</param>
    /// <param name="parameter">The expression that reads the path's parameter (an element of the call's state).</param>
    public static string Expression(KeyPathModel key, string parameter)
    {
        var text = new StringBuilder(parameter);
        var mayBeNull = key.ParameterMayBeNull;
        foreach (var member in key.Members)
        {
            text.Append(mayBeNull ? "?." : ".").Append(SymbolText.Identifier(member.Name));
            mayBeNull = member.MayBeNull;
        }

        return $"global::Throttle.Infrastructure.ThrottleKey.From({text}, {SymbolText.Literal(key.Path)})";
    }
}
