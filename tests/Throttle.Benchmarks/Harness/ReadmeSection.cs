using System;
using System.IO;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// Replaces what lies between <c>&lt;!-- name:begin --&gt;</c> and <c>&lt;!-- name:end --&gt;</c> in the benchmarks README
/// (appending both markers at the end when they are not there yet), so each command rewrites only its own table.
/// </summary>
internal static class ReadmeSection
{
    /// <summary>The benchmarks README, found by walking up from the working directory to the repository root.</summary>
    public static string FindReadme()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "Throttle.Benchmarks", "README.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/Throttle.Benchmarks/README.md not found above the working directory; run from the repository.");
    }

    /// <summary>Writes <paramref name="content"/> between the markers of section <paramref name="name"/>.</summary>
    public static void Write(string readme, string name, string content)
    {
        var begin = $"<!-- {name}:begin -->";
        var end = $"<!-- {name}:end -->";
        var text = File.ReadAllText(readme);
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        var block = begin + "\n" + content.TrimEnd() + "\n" + end;
        text = start >= 0 && stop > start
            ? string.Concat(text.AsSpan(0, start), block, text.AsSpan(stop + end.Length))
            : text.TrimEnd() + "\n\n" + block + "\n";
        File.WriteAllText(readme, text);
    }
}
