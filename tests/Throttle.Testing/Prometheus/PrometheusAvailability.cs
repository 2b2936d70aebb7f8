using System;
using System.IO;

namespace Throttle.Testing.Prometheus;

/// <summary>
/// Finds Debian's <c>prometheus</c> and <c>promtool</c> on PATH. Without them the tests skip, except in CI
/// (<c>CI=true</c>, or <c>THROTTLE_REQUIRE_PROMETHEUS=1</c>, or <c>THROTTLE_REQUIRE_REDIS=1</c> as <c>.ci/run</c>
/// sets), where they run and fail with the reason.
/// </summary>
public static class PrometheusAvailability
{
    /// <summary>The path of <c>prometheus</c>, or null when it is not on PATH.</summary>
    public static string? Prometheus { get; } = Find("prometheus");

    /// <summary>The path of <c>promtool</c>, or null when it is not on PATH.</summary>
    public static string? PromTool { get; } = Find("promtool");

    /// <summary>Whether a missing binary fails the test instead of skipping it (CI).</summary>
    public static bool IsRequired =>
        IsSet("CI") || IsSet("THROTTLE_REQUIRE_PROMETHEUS") || IsSet("THROTTLE_REQUIRE_REDIS");

    /// <summary>What is missing and how to install it.</summary>
    public static string Missing =>
        "prometheus/promtool not found on PATH: install Debian's 'prometheus' package (./test.sh does).";

    /// <summary>The path of a program found by this class, or a failure naming what is missing.</summary>
    /// <param name="path"><see cref="Prometheus"/> or <see cref="PromTool"/>.</param>
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
