using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Throttle.Analyzers.CodeFixes;
using Throttle.Analyzers.Pitfalls;
using Xunit;

namespace Throttle.Analyzers.Tests.BadInput;

/// <summary>
/// Every analyzer over every C# snippet the generator tests compile (valid ones, broken ones, attribute fragments; each
/// alone, after the usings the generator tests add, and cut off in the middle) and over the samples' sources: no analyzer throws (AD0001), and
/// every fix offered for what the generator or the analyzers report leaves no compiler error that was not there
/// before. CS8795 (a partial method without a body) is left out of that comparison: it follows from any Throttle error
/// a fix uncovers (docs/diagnostics.md), not from the fix.
/// </summary>
public sealed class BadInputTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        """;

    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
        new CreatedInWaitingCallAnalyzer(), new UnboundedWaitAnalyzer(), new ReleaseOutsideFinallyAnalyzer(), new CreatedPerRequestAnalyzer());

    private static readonly ImmutableArray<CodeFixProvider> s_fixes = typeof(DeclarationCodeFixProvider<>).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
        .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    [Fact]
    public async Task Generator_test_snippets_whole_and_cut_short()
    {
        var snippets = GeneratorTestSnippets().ToList();
        Assert.True(snippets.Count > 100, $"Found only {snippets.Count} snippets in tests/Throttle.Generator.Tests.");
        var inputs = snippets.SelectMany(s => new[] { s, Usings + s, (Usings + s).Substring(0, (Usings.Length + s.Length) / 2) }).Distinct().ToList();

        var problems = new List<string>();
        foreach (var input in inputs)
        {
            problems.AddRange(await CheckAsync(new[] { input }));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine + "----" + Environment.NewLine, problems.Take(10)));
    }

    [Fact]
    public async Task Samples_sources()
    {
        var sources = Directory.GetFiles(Path.Combine(RepositoryRoot(), "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .GroupBy(p => Path.GetDirectoryName(p))
            .ToList();
        Assert.NotEmpty(sources);

        var problems = new List<string>();
        foreach (var project in sources)
        {
            problems.AddRange(await CheckAsync(project.Select(File.ReadAllText).ToArray()));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine + "----" + Environment.NewLine, problems.Take(10)));
    }

    [Fact]
    public async Task A_snippet_with_every_pitfall_is_fixed_without_new_errors()
    {
        // Proves the check above can see fixes at all: this one reports and fixes every THR9xx.
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Mvc;
            using Throttle.Limiters;

            public class Pitfalls : ControllerBase
            {
                private readonly TokenBucketLimiter _limiter = new TokenBucketLimiter(5);

                public async Task<int> RunAsync(CancellationToken cancellationToken)
                {
                    var gate = new SemaphoreSlim(1);
                    await gate.WaitAsync();
                    var value = 1;
                    await Task.Delay(value, cancellationToken);
                    gate.Release();
                    return 0;
                }
            }
            """;
        var ids = new List<string>();
        var problems = await CheckAsync(new[] { source }, ids);
        Assert.Empty(problems);
        Assert.Equal(new[] { "THR901", "THR902", "THR903", "THR904" }, ids.Distinct().Order());
    }

    private static async Task<List<string>> CheckAsync(string[] sources, List<string>? fixedIds = null)
    {
        var problems = new List<string>();
        var document = CreateProject(sources);
        var (diagnostics, exceptions) = await DiagnoseAsync(document.Project);
        problems.AddRange(exceptions.Select(e => $"{e}{Environment.NewLine}in:{Environment.NewLine}{string.Join(Environment.NewLine, sources)}"));
        problems.AddRange(diagnostics.Where(d => d.Id == "AD0001").Select(d => d + Environment.NewLine + string.Join(Environment.NewLine, sources)));

        var errorsBefore = await ErrorsAsync(document.Project);
        foreach (var diagnostic in diagnostics.Where(d => d.Location.IsInSource))
        {
            var target = document.Project.GetDocument(diagnostic.Location.SourceTree);
            if (target is null)
            {
                continue;
            }

            foreach (var fix in s_fixes.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                var actions = new List<CodeAction>();
                await fix.RegisterCodeFixesAsync(new CodeFixContext(target, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
                foreach (var action in actions)
                {
                    var operations = await action.GetOperationsAsync(CancellationToken.None);
                    var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetProject(document.Project.Id)!;
                    var errorsAfter = await ErrorsAsync(changed);
                    var added = errorsAfter.Except(errorsBefore).ToList();
                    fixedIds?.Add(diagnostic.Id);
                    if (added.Count > 0)
                    {
                        var text = await changed.GetDocument(target.Id)!.GetTextAsync();
                        problems.Add($"{fix.GetType().Name} on {diagnostic} added {string.Join("; ", added)}:{Environment.NewLine}{text}");
                    }
                }
            }
        }

        return problems;
    }

    private static Document CreateProject(string[] sources)
    {
        var document = CodeFixHarness.CreateDocument(sources[0]);
        var project = document.Project.AddMetadataReferences(AspNetReferences.All);
        for (var i = 1; i < sources.Length; i++)
        {
            project = project.AddDocument($"Source{i}.cs", SourceText.From(sources[i])).Project;
        }

        return project.GetDocument(document.Id)!;
    }

    /// <summary>What the generator and the pitfall analyzers report, and any exception an analyzer threw.</summary>
    private static async Task<(ImmutableArray<Diagnostic> Diagnostics, List<string> Exceptions)> DiagnoseAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var exceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => exceptions.Add($"{analyzer.GetType().Name} threw {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var analyzed = await compilation.WithAnalyzers(s_analyzers, options).GetAnalyzerDiagnosticsAsync();
        var (generator, _) = await CodeFixHarness.DiagnoseAsync(project);
        return (analyzed.AddRange(generator), exceptions);
    }

    /// <summary>The compiler's errors once the generator has run, as id and message (spans move with any edit).</summary>
    private static async Task<HashSet<string>> ErrorsAsync(Project project)
    {
        var (_, errors) = await CodeFixHarness.DiagnoseAsync(project);
        return errors.Where(e => e.Id != "CS8795").Select(e => e.Id + ": " + e.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
    }

    /// <summary>Every string literal of the generator tests that looks like C# (a declaration, an attribute or a statement), markers removed.</summary>
    private static IEnumerable<string> GeneratorTestSnippets()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "Throttle.Generator.Tests");
        foreach (var file in Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file));
            foreach (var literal in tree.GetRoot().DescendantNodes().OfType<LiteralExpressionSyntax>().Where(l => l.IsKind(SyntaxKind.StringLiteralExpression)))
            {
                var text = literal.Token.ValueText.Replace("[|", string.Empty).Replace("|]", string.Empty);
                if (text.Length > 10 && (text.Contains('[') || text.Contains("class") || text.Contains(';')))
                {
                    yield return text;
                }
            }
        }
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Throttle.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Throttle.sln not found above " + AppContext.BaseDirectory);
    }
}
