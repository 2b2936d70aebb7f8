using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace Throttle.Generator.Tests;

/// <summary>
/// Golden files of generated code, in <c>Emitting/Snapshots/&lt;TestName&gt;.g.cs</c>: every generated file of the run, each
/// preceded by a <c>// Hint: ...</c> line, compared exactly (line ends normalized to <c>\n</c>).
/// </summary>
/// <remarks>
/// To (re)write golden files, run the tests with <c>THROTTLE_ACCEPT_SNAPSHOTS=1</c>. In that mode a test whose golden
/// file is missing or different writes it and then FAILS, saying which file it wrote, so an accepting run can never be
/// mistaken for a passing one; run again without the variable to confirm, and review the diff before committing.
/// A test whose golden file already matches passes in both modes.
/// </remarks>
internal static class Snapshot
{
    public const string AcceptVariable = "THROTTLE_ACCEPT_SNAPSHOTS";

    // Found from the test binaries, not [CallerFilePath]: CI builds (ContinuousIntegrationBuild) map source paths to /_/.
    public static string Directory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Throttle.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "Throttle.Generator.Tests", "Emitting", "Snapshots");
            }
        }

        throw new InvalidOperationException("Throttle.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Format(GeneratorRun run)
    {
        var text = new StringBuilder();
        foreach (var file in run.Sources)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append("// Hint: ").Append(file.HintName).Append('\n').Append(Normalize(file.Text));
        }

        return text.ToString();
    }

    public static void Verify(GeneratorRun run, string name)
    {
        var actual = Format(run);
        var path = Path.Combine(Directory(), name + ".g.cs");
        var expected = File.Exists(path) ? Normalize(File.ReadAllText(path)) : null;
        if (expected == actual)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            Assert.Fail($"Wrote golden file {path} ({AcceptVariable}=1). Review it, then run the tests again without {AcceptVariable}.");
        }

        if (expected is null)
        {
            Assert.Fail($"No golden file {path}. Run the tests with {AcceptVariable}=1 to write it, then review it.\nGenerated:\n{actual}");
        }

        Assert.Fail($"Generated code differs from {path} at line {FirstDifferentLine(expected, actual)}. "
            + $"If the change is intended, run with {AcceptVariable}=1 and review the diff.\nGenerated:\n{actual}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static int FirstDifferentLine(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var common = Math.Min(a.Length, b.Length);
        var index = Enumerable.Range(0, common).FirstOrDefault(i => a[i] != b[i], common);
        return index + 1;
    }
}
