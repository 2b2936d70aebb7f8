using System;
using System.ComponentModel;
using System.Globalization;

namespace Throttle.Infrastructure;

/// <summary>
/// Turns the value named by <c>[RateLimit(Key = ...)]</c> (or <c>[Queued(DedupeKey = ...)]</c>) into a key string. Strings pass through without allocating;
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
            throw NullKey(path, "rate-limit");
        }

        return value;
    }

    /// <summary>Returns <paramref name="value"/> itself, as a <c>[Queued(DedupeKey = ...)]</c> key.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or empty.</exception>
    public static string DedupeFrom(string? value, string path) =>
        string.IsNullOrEmpty(value) ? throw NullKey(path, "dedupe") : value;

    /// <summary>Formats <paramref name="value"/> with the invariant culture, as a <c>[Queued(DedupeKey = ...)]</c> key.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or formats as an empty string.</exception>
    public static string DedupeFrom<T>(T value, string path) => Format(value) is { Length: > 0 } text ? text : throw NullKey(path, "dedupe");

    /// <summary>Formats <paramref name="value"/> with the invariant culture.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null or formats as an empty string.</exception>
    public static string From<T>(T value, string path) => Format(value) is { Length: > 0 } text ? text : throw NullKey(path, "rate-limit");

    private static string? Format<T>(T value) => value switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static ArgumentException NullKey(string path, string role)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        var parameter = dot < 0 ? path : path[..dot];
        return new ArgumentException($"The {role} key '{path}' is null or empty; it must have a value.", parameter);
    }
}
