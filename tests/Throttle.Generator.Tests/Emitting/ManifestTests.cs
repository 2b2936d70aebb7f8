using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Throttle.Generator.Emitting;
using Xunit;

namespace Throttle.Generator.Tests.Emitting;

/// <summary>
/// The compilation's one module initializer (<c>Throttle.Manifest.g.cs</c>): written when a method names a limiter, queue
/// or breaker, never otherwise, and kept up to date incrementally. Its text is pinned by the golden files NamedLimiter,
/// QueuedOnNamedQueueReturningValueTask and CircuitBreakerWithHandlesAndName.
/// </summary>
public sealed class ManifestTests
{
    private const string Named = """
        using System.Threading.Tasks;
        using Throttle;

        namespace Sample;

        public sealed partial class Api
        {
            [Queued(Queue = "imports")]
            [CircuitBreaker(Name = "db")]
            [RateLimit(Limiter = "api")]
            public partial Task ImportAsync();

            [RateLimit(5, Scope = "not-a-registered-name")]
            public partial Task PlainAsync();

            private Task ImportCoreAsync() => Task.CompletedTask;
            private Task PlainCoreAsync() => Task.CompletedTask;
        }
        """;

    [Fact]
    public void OneFileRegistersEveryNamedResourceOnce()
    {
        var run = GeneratorHarness.Run(Named, Named.Replace("class Api", "class Other", System.StringComparison.Ordinal));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe(run.GeneratorDiagnostics));
        Assert.Empty(run.OutputDiagnostics);

        var manifest = Assert.Single(run.Sources, s => s.HintName == ManifestWriter.HintName);
        var registrations = manifest.Text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("global::Throttle.Infrastructure.SiteManifest.Register(", System.StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                """global::Throttle.Infrastructure.SiteManifest.Register("Sample.Api.ImportAsync", global::Throttle.Infrastructure.SiteResourceKind.CircuitBreaker, "db");""",
                """global::Throttle.Infrastructure.SiteManifest.Register("Sample.Api.ImportAsync", global::Throttle.Infrastructure.SiteResourceKind.Limiter, "api");""",
                """global::Throttle.Infrastructure.SiteManifest.Register("Sample.Api.ImportAsync", global::Throttle.Infrastructure.SiteResourceKind.Queue, "imports");""",
                """global::Throttle.Infrastructure.SiteManifest.Register("Sample.Other.ImportAsync", global::Throttle.Infrastructure.SiteResourceKind.CircuitBreaker, "db");""",
                """global::Throttle.Infrastructure.SiteManifest.Register("Sample.Other.ImportAsync", global::Throttle.Infrastructure.SiteResourceKind.Limiter, "api");""",
                """global::Throttle.Infrastructure.SiteManifest.Register("Sample.Other.ImportAsync", global::Throttle.Infrastructure.SiteResourceKind.Queue, "imports");""",
            ],
            registrations);
        Assert.Single(run.Output.SyntaxTrees, t => t.ToString().Contains("[global::System.Runtime.CompilerServices.ModuleInitializer]", System.StringComparison.Ordinal));
    }

    [Fact]
    public void NothingIsWrittenWithoutANamedResource()
    {
        var run = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using Throttle;

            public sealed partial class Api
            {
                [RateLimit(5)]
                public partial Task PlainAsync();

                private Task PlainCoreAsync() => Task.CompletedTask;
            }
            """);
        Assert.Equal(["Api.PlainAsync.Throttle.g.cs"], run.Sources.Select(s => s.HintName));
    }

    [Fact]
    public void NothingIsWrittenBelowCSharp9()
    {
        // C# 8 has no module initializers; the method's own file is still written (whether it compiles there is another matter).
        var options = GeneratorHarness.ParseOptions.WithLanguageVersion(LanguageVersion.CSharp8);
        var csharp8 = GeneratorHarness.Compile(Named).RemoveAllSyntaxTrees().AddSyntaxTrees(CSharpSyntaxTree.ParseText(Named, options, path: "Source0.cs"));
        var driver = CSharpGeneratorDriver.Create([new ThrottleGenerator().AsSourceGenerator()], parseOptions: options).RunGenerators(csharp8);
        var hints = driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
        Assert.NotEmpty(hints);
        Assert.DoesNotContain(ManifestWriter.HintName, hints);
    }

    [Fact]
    public void ANewNamedResourceRewritesTheManifestButNoMethodFile()
    {
        var compilation = GeneratorHarness.Compile(Named);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var added = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
            using System.Threading.Tasks;
            using Throttle;

            public sealed partial class Late
            {
                [RateLimit(Limiter = "late")]
                public partial Task GoAsync();

                private Task GoCoreAsync() => Task.CompletedTask;
            }
            """, GeneratorHarness.ParseOptions, path: "Late.cs"));

        var result = driver.RunGenerators(added).GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[ThrottleGenerator.ManifestStep].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("\"late\"", result.GeneratedSources.Single(s => s.HintName == ManifestWriter.HintName).SourceText.ToString(), System.StringComparison.Ordinal);

        // The models of the untouched file stay cached: its two wrappers are not written again.
        var models = result.TrackedSteps
            .Where(step => step.Key.StartsWith(ThrottleGenerator.ModelStepPrefix, System.StringComparison.Ordinal))
            .SelectMany(step => step.Value)
            .SelectMany(step => step.Outputs)
            .ToList();
        Assert.Equal(3, models.Count);
        Assert.Equal(2, models.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void AnUnrelatedEditLeavesTheManifestCached()
    {
        var compilation = GeneratorHarness.Compile(Named, "namespace Sample; public static class Other { public static int Value => 1; }");
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Source1.cs");
        var edited = old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(old.ToString().Replace("=> 1", "=> 2", System.StringComparison.Ordinal)));

        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, edited)).GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[ThrottleGenerator.ManifestStep].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }
}
