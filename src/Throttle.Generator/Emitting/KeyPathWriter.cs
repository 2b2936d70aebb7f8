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
    /// <summary>Converts a rate-limit key (its error names a rate-limit key).</summary>
    public const string RateLimitKey = "global::Throttle.Infrastructure.ThrottleKey.From";

    /// <summary>Converts a <c>[Queued]</c> dedupe key (its error names a dedupe key).</summary>
    public const string DedupeKey = "global::Throttle.Infrastructure.ThrottleKey.DedupeFrom";

    /// <param name="key">The resolved path.</param>
    /// <param name="parameter">The expression that reads the path's parameter (an element of the call's state).</param>
    /// <param name="convert">The <c>ThrottleKey</c> method that checks and formats the value.</param>
    public static string Expression(KeyPathModel key, string parameter, string convert = RateLimitKey)
    {
        var text = new StringBuilder(parameter);
        var mayBeNull = key.ParameterMayBeNull;
        foreach (var member in key.Members)
        {
            text.Append(mayBeNull ? "?." : ".").Append(SymbolText.Identifier(member.Name));
            mayBeNull = member.MayBeNull;
        }

        return $"{convert}({text}, {SymbolText.Literal(key.Path)})";
    }
}
