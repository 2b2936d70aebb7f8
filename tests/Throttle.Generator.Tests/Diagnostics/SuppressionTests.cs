using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Throttle.Generator.Tests.Diagnostics;

/// <summary>
/// The generator's diagnostics are suppressed like the compiler's own, on one method or one file, while the same
/// diagnostic elsewhere is still reported: <c>#pragma warning</c>, <c>[SuppressMessage]</c> and
/// <c>dotnet_diagnostic.&lt;id&gt;.severity</c> in <c>.editorconfig</c> (docs/diagnostics.md, "Suppressing a diagnostic").
/// </summary>
public sealed class SuppressionTests
{
    private const string Usings = """
        using System.Diagnostics.CodeAnalysis;
        using System.Threading.Tasks;
        using Throttle;

        """;

    [Fact]
    public void PragmaDisablesTheWarningOnOneMethodOnly()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
            #pragma warning disable THR302 // the cap is meant to flatten the back-off
                [Retry(BaseDelaySeconds = 10, MaxDelaySeconds = 2)]
                public partial Task QuietAsync();
            #pragma warning restore THR302

                [Retry(BaseDelaySeconds = 10, MaxDelaySeconds = [|2|])]
                public partial Task LoudAsync();

                private Task QuietCoreAsync() => Task.CompletedTask;
                private Task LoudCoreAsync() => Task.CompletedTask;
            }
            """);

        var run = GeneratorHarness.Run(markup.Source);

        AssertReportedOnlyAt("THR302", markup, run.GeneratorDiagnostics);
        Assert.Equal(2, run.Sources.Count);
    }

    [Fact]
    public void SuppressMessageOnAMethodSuppressesItsDiagnosticOnly()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [SuppressMessage("Throttle", "THR401:Semaphore without an acquire timeout", Justification = "Holders finish within a request.")]
                [DistributedSemaphore("quiet", 2)]
                public partial Task QuietAsync();

                [[|DistributedSemaphore("loud", 2)|]]
                public partial Task LoudAsync();

                private Task QuietCoreAsync() => Task.CompletedTask;
                private Task LoudCoreAsync() => Task.CompletedTask;
            }
            """);

        var run = GeneratorHarness.Run(markup.Source);

        AssertReportedOnlyAt("THR401", markup, run.GeneratorDiagnostics);
    }

    [Fact]
    public void SuppressMessageOnTheTypeCoversItsMethods()
    {
        var markup = Markup.Parse(Usings + """
            [SuppressMessage("Throttle", "THR401")]
            public partial class Quiet
            {
                [DistributedSemaphore("quiet", 2)]
                public partial Task RunAsync();

                private Task RunCoreAsync() => Task.CompletedTask;
            }

            public partial class Loud
            {
                [[|DistributedSemaphore("loud", 2)|]]
                public partial Task RunAsync();

                private Task RunCoreAsync() => Task.CompletedTask;
            }
            """);

        AssertReportedOnlyAt("THR401", markup, GeneratorHarness.Run(markup.Source).GeneratorDiagnostics);
    }

    [Fact]
    public void EditorConfigSeverityAppliesToTheFilesItsSectionNames()
    {
        const string EditorConfig = """
            root = true

            [Quiet.cs]
            dotnet_diagnostic.THR401.severity = none

            [Strict.cs]
            dotnet_diagnostic.THR401.severity = error
            """;
        var quiet = Markup.Parse(Usings + """
            public partial class Quiet
            {
                [DistributedSemaphore("quiet", 2)]
                public partial Task RunAsync();

                private Task RunCoreAsync() => Task.CompletedTask;
            }
            """);
        var strict = Markup.Parse(Usings + """
            public partial class Strict
            {
                [[|DistributedSemaphore("strict", 2)|]]
                public partial Task RunAsync();

                private Task RunCoreAsync() => Task.CompletedTask;
            }
            """);
        var plain = Markup.Parse(Usings + """
            public partial class Plain
            {
                [[|DistributedSemaphore("plain", 2)|]]
                public partial Task RunAsync();

                private Task RunCoreAsync() => Task.CompletedTask;
            }
            """);

        var diagnostics = RunWithEditorConfig(EditorConfig, ("/src/Quiet.cs", quiet.Source), ("/src/Strict.cs", strict.Source), ("/src/Plain.cs", plain.Source));

        var reported = diagnostics.Where(d => d.Id == "THR401" && !d.IsSuppressed).ToList();
        Assert.Equal(["/src/Plain.cs", "/src/Strict.cs"], reported.Select(d => d.Location.SourceTree!.FilePath).Order());
        var strictDiagnostic = reported.Single(d => d.Location.SourceTree!.FilePath == "/src/Strict.cs");
        Assert.Equal(DiagnosticSeverity.Error, strictDiagnostic.Severity);
        Assert.Equal(strict.Span, strictDiagnostic.Location.SourceSpan);
        var plainDiagnostic = reported.Single(d => d.Location.SourceTree!.FilePath == "/src/Plain.cs");
        Assert.Equal(DiagnosticSeverity.Warning, plainDiagnostic.Severity);
        Assert.Equal(plain.Span, plainDiagnostic.Location.SourceSpan);
    }

    [Fact]
    public void THR401IsAWarningSoTheCommandLineBuildShowsIt()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [[|DistributedSemaphore("db", 2)|]]
                public partial Task RunAsync();

                private Task RunCoreAsync() => Task.CompletedTask;
            }
            """);

        var diagnostic = Assert.Single(GeneratorHarness.Run(markup.Source).GeneratorDiagnostics);

        Assert.Equal("THR401", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);

        // Warnings-as-errors turns it into an error, as it does for the compiler's own warnings.
        var strict = GeneratorHarness.Compile(markup.Source);
        strict = strict.WithOptions(strict.Options.WithGeneralDiagnosticOption(ReportDiagnostic.Error));
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(strict, out _, out var asErrors);
        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(asErrors).Severity);
    }

    /// <summary>Exactly one unsuppressed <paramref name="id"/>, at the marked span; any other is suppressed.</summary>
    private static void AssertReportedOnlyAt(string id, Markup markup, ImmutableArray<Diagnostic> diagnostics)
    {
        var reported = diagnostics.Where(d => d.Id == id && !d.IsSuppressed).ToList();
        var diagnostic = Assert.Single(reported);
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.True(diagnostic.Location.IsInSource);
        Assert.All(diagnostics.Except(reported), d => Assert.True(d.IsSuppressed, d.ToString()));
    }

    /// <summary>
    /// Runs the generator the way <c>csc</c> does with an <c>.editorconfig</c>: the compiler parses the file into per-tree
    /// severities (<see cref="AnalyzerConfigSet"/>) and hands them to the compilation, whose options filter the
    /// generator's diagnostics.
    /// </summary>
    private static ImmutableArray<Diagnostic> RunWithEditorConfig(string editorConfig, params (string Path, string Source)[] files)
    {
        var configs = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(editorConfig, "/src/.editorconfig")));
        var compilation = GeneratorHarness.Compile();
        compilation = compilation
            .AddSyntaxTrees(files.Select(f => CSharpSyntaxTree.ParseText(f.Source, GeneratorHarness.ParseOptions, path: f.Path)))
            .WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new EditorConfigSeverities(configs)));
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        return diagnostics;
    }

    private sealed class EditorConfigSeverities(AnalyzerConfigSet configs) : SyntaxTreeOptionsProvider
    {
        private readonly Dictionary<string, AnalyzerConfigOptionsResult> _perFile = new();

        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            if (!_perFile.TryGetValue(tree.FilePath, out var options))
            {
                options = _perFile[tree.FilePath] = configs.GetOptionsForSourcePath(tree.FilePath);
            }

            return options.TreeOptions.TryGetValue(diagnosticId, out severity);
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            configs.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
