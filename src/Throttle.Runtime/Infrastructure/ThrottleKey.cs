using System;
using System.ComponentModel;
using System.Globalization;

namespace Throttle.Infrastructure;

/// <summary>
/// Turns the value named by <c>[RateLimit(Key = ...)]</c> into a key string. Strings pass through without allocating;
/// other values are formatted with the invariant culture. Null or empty values are rejected, naming the parameter.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ThrottleKey
{
    /// <summary>Returns <paramref name="value"/> itself.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public static string From(string? value, string path)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw NullKey(path);
        }

        return value;
    }

    /// <summary>Formats <paramref name="value"/> with the invariant culture.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or formats as an empty string.</exception>
    public static string From<T>(T value, string path)
    {
        var text = value switch
        {
            null => null,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };

        return string.IsNullOrEmpty(text) ? throw NullKey(path) : text;
    }

    private static ArgumentException NullKey(string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        var parameter = dot < 0 ? path : path[..dot];
        return new ArgumentException($"The rate-limit key '{path}' is null or empty; it must have a value.", parameter);
    }
}
