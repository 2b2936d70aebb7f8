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

    private const string Gate = """
        using System.Threading.Tasks;
        using Throttle;

        namespace Sample;

        public sealed partial class Gate
        {
            [DistributedSemaphore("db", 2)]
            public partial Task EnterAsync();

            [DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 1)]
            public partial Task LeaveAsync();

            private Task EnterCoreAsync() => Task.CompletedTask;
            private Task LeaveCoreAsync() => Task.CompletedTask;
        }
        """;

    [Fact]
    public void DiagnosticsAndSharedNamesStayCachedWhenAnotherFileChanges()
    {
        var compilation = GeneratorHarness.Compile(Gate, Other);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        Assert.Equal(["THR401", "THR403", "THR403"], driver.GetRunResult().Diagnostics.Select(d => d.Id).Order());

        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Source1.cs");
        var edited = old.WithChangedText(old.GetText().Replace(Other.IndexOf("=> 1", System.StringComparison.Ordinal), 4, "=> 2"));
        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult().Results.Single();

        Assert.All(result.TrackedSteps[ThrottleGenerator.SharedNamesStep].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Equal(3, result.Diagnostics.Length);
    }

    [Fact]
    public void DiagnosticsFollowAnEditOfTheirFileWithoutReEmittingIt()
    {
        var compilation = GeneratorHarness.Compile(Gate, Other);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var before = driver.GetRunResult().Diagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line).Order().ToList();

        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Source0.cs");
        var edited = old.WithChangedText(old.GetText().Replace(0, 0, "// one line more\n"));
        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult().Results.Single();

        // Reported again, in the new tree (so #pragma and [SuppressMessage] there apply), one line lower.
        Assert.All(result.Diagnostics, d => Assert.Same(edited, d.Location.SourceTree));
        Assert.Equal(before.Select(line => line + 1), result.Diagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line).Order());

        // The transform's results changed (their diagnostics moved) but the models are equal, so no file is written again.
        Assert.Contains(IncrementalStepRunReason.Modified, new TransformReasons(result));
        var models = ThrottleAttributes.InWrappingOrder
            .Select(attribute => ThrottleGenerator.ModelStepPrefix + attribute)
            .Where(result.TrackedSteps.ContainsKey)
            .SelectMany(name => result.TrackedSteps[name])
            .SelectMany(step => step.Outputs)
            .ToList();
        Assert.Equal(2, models.Count);
        Assert.All(models, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(Client, Other);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult();
        Assert.Empty(first.Diagnostics);
        Assert.Equal(3, first.GeneratedTrees.Length); // two wrappers and the module initializer (Limiter = "shared")
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
