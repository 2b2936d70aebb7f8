using System;
using System.IO;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>
/// Finds Debian's <c>prometheus</c> and <c>promtool</c> on PATH. Without them the tests skip, except in CI
/// (<c>CI=true</c>, or <c>THROTTLE_REQUIRE_PROMETHEUS=1</c>, or <c>THROTTLE_REQUIRE_REDIS=1</c> as <c>.ci/run</c>
/// sets), where they run and fail with the reason.
/// </summary>
internal static class PrometheusAvailability
{
    public static string? Prometheus { get; } = Find("prometheus");

    public static string? PromTool { get; } = Find("promtool");

    public static bool IsRequired =>
        IsSet("CI") || IsSet("THROTTLE_REQUIRE_PROMETHEUS") || IsSet("THROTTLE_REQUIRE_REDIS");

    public static string Missing =>
        "prometheus/promtool not found on PATH: install Debian's 'prometheus' package (./test.sh does).";

    /// <summary>The path of <paramref name="program"/>, or a failure naming what is missing.</summary>
    public static string Require(string? path) => path ?? throw new InvalidOperationException(Missing + " (Required in CI: failing instead of skipping.)");

    private static bool IsSet(string variable) =>
        Environment.GetEnvironmentVariable(variable)?.Trim() is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static string? Find(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs prometheus and promtool: skipped without them, except in CI where it runs (and fails).</summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        if ((PrometheusAvailability.Prometheus is null || PrometheusAvailability.PromTool is null) && !PrometheusAvailability.IsRequired)
        {
            Skip = PrometheusAvailability.Missing + " Set CI=true or THROTTLE_REQUIRE_PROMETHEUS=1 to fail instead of skipping.";
        }
    }
}
