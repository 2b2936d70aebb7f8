using System.IO;
using System.Linq;
using Xunit;

namespace Throttle.Generator.Tests.Emitting;

/// <summary>Rules every piece of generated code obeys, checked on each run and over all golden files.</summary>
public sealed class GeneratedCodeRules
{
    private static readonly string[] s_forbidden = ["System.Reflection", "typeof(", "GetType(", "nameof(", "dynamic"];

    internal static void AssertNoReflection(string name, string text)
    {
        foreach (var forbidden in s_forbidden)
        {
            Assert.False(text.Contains(forbidden, System.StringComparison.Ordinal), $"{name} contains '{forbidden}':\n{text}");
        }
    }

    [Fact]
    public void GoldenFilesUseNoReflection()
    {
        var files = Directory.GetFiles(Snapshot.Directory(), "*.g.cs");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            AssertNoReflection(Path.GetFileName(file), File.ReadAllText(file));
        }
    }

    [Fact]
    public void EveryGoldenFileBelongsToATest()
    {
        var tests = new[] { typeof(SnapshotTests), typeof(ScheduledSnapshotTests) }
            .SelectMany(t => t.GetMethods()).Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0).Select(m => m.Name + ".g.cs");
        var orphans = Directory.GetFiles(Snapshot.Directory(), "*.g.cs").Select(Path.GetFileName).Except(tests).ToList();
        Assert.Empty(orphans);
    }
}
