using System;

namespace Throttle.Telemetry;

/// <summary>
/// The rule for names given to <see cref="ThrottleMetrics"/>: OpenTelemetry's instrument-name syntax, an ASCII letter
/// then up to 254 ASCII letters, digits, <c>_</c>, <c>.</c>, <c>-</c> or <c>/</c>.
/// </summary>
internal static class MetricName
{
    public const int MaxLength = 255;

    /// <summary>Returns <paramref name="name"/>, or throws naming <paramref name="paramName"/> and the rule it breaks.</summary>
    public static string Check(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        if (name.Length > MaxLength)
        {
            throw new ArgumentException($"The metric name is {name.Length} characters long; the most is {MaxLength}.", paramName);
        }

        if (!char.IsAsciiLetter(name[0]))
        {
            throw new ArgumentException($"The metric name '{name}' must start with an ASCII letter (OpenTelemetry's instrument-name syntax).", paramName);
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-' or '/'))
            {
                throw new ArgumentException(
                    $"The metric name '{name}' contains '{c}'; use ASCII letters, digits, '_', '.', '-' or '/' (OpenTelemetry's instrument-name syntax).", paramName);
            }
        }

        return name;
    }
}
