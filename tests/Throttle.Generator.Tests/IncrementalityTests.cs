using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Throttle.Generator.Parsing;
using Xunit;

namespace Throttle.Generator.Tests;

/// <summary>Edits that do not touch a Throttle method must not re-run its transform or re-emit its file.</summary>
public sealed class IncrementalityTests
{
    private const string Client = """
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Sample;

        public sealed partial class Client
        {
            [RateLimit(5, Key = nameof(user))]
            public partial Task<string> FetchAsync(string user, CancellationToken cancellationToken);

            [RateLimit(Limiter = "shared")]
            public partial int Count();

            private Task<string> FetchCoreAsync(string user, CancellationToken cancellationToken) => Task.FromResult(user);
            private int CountCore() => 1;
        }
        """;

    private const string Other = """
        namespace Sample;

        public static class Other
        {
            public static int Value => 1;
        }
        """;

    [Fact]
    public void AddingAnUnrelatedFileKeepsEveryStepCached()
    {
        var (driver, compilation) = FirstRun();
        var next = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Sample; public sealed class Added { }", GeneratorHarness.ParseOptions, path: "Added.cs"));
        AssertCached(driver.RunGenerators(next));
    }

    [Fact]
    public void EditingAnUnrelatedFileKeepsEveryStepCached()
    {
        var (driver, compilation) = FirstRun();
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Source1.cs");
        var edited = old.WithChangedText(old.GetText().Replace(Other.IndexOf("=> 1", System.StringComparison.Ordinal), 4, "=> 2"));
        AssertCached(driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)));
    }

    [Fact]
    public void EditingTheMethodsFileOutsideTheMethodKeepsOutputsUnchanged()
    {
        var (driver, compilation) = FirstRun();
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Source0.cs");
        var edited = old.WithChangedText(old.GetText().Replace(Client.IndexOf("=> 1;", System.StringComparison.Ordinal), 5, "=> 1 + 1;"));
        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult().Results.Single();

        // The transform re-runs on the edited file, but produces equal models, so nothing downstream changes.
        var outputs = TrackedOutputs(result);
        Assert.NotEmpty(outputs);
        Assert.All(outputs, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(Client, Other);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult();
        Assert.Empty(first.Diagnostics);
        Assert.Equal(2, first.GeneratedTrees.Length);
        return (driver, compilation);
    }

    private static TransformReasons TrackedOutputs(GeneratorRunResult result)
    {
        Assert.True(result.TrackedSteps.ContainsKey(ThrottleGenerator.TransformStepPrefix + ThrottleAttributes.RateLimit), "The [RateLimit] transform step is tracked.");
        return new(result);
    }

    private static void AssertCached(GeneratorDriver driver)
    {
        var result = driver.GetRunResult().Results.Single();
        var outputs = TrackedOutputs(result);
        Assert.NotEmpty(outputs);
        Assert.All(outputs, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));

        var sourceOutputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(sourceOutputs);
        Assert.All(sourceOutputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    /// <summary>The output reasons of every transform step, one per attribute pipeline.</summary>
    private sealed class TransformReasons(GeneratorRunResult result) : System.Collections.Generic.List<IncrementalStepRunReason>(
        ThrottleAttributes.InWrappingOrder
            .Select(attribute => ThrottleGenerator.TransformStepPrefix + attribute)
            .Where(result.TrackedSteps.ContainsKey)
            .SelectMany(name => result.TrackedSteps[name])
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason));
}
