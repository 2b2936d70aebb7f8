using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Throttle.Generator;
using Xunit;

namespace Throttle.Analyzers.Tests;

/// <summary>
/// Drives a code fix the way the IDE does: one C# document in an <see cref="AdhocWorkspace"/> against the .NET 10
/// reference assemblies and Throttle's (as tests/Throttle.Generator.Tests/GeneratorHarness.cs compiles), the generator
/// run over its compilation for the diagnostics, the fix's code action applied to the solution.
/// </summary>
internal static class CodeFixHarness
{
    /// <summary>Roslyn 4.8 (the oldest compiler the generator supports) speaks C# 12.</summary>
    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.CSharp12);

    private static readonly ImmutableArray<MetadataReference> s_references = Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(RateLimitAttribute).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(ThrottleRuntime).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(Polly.ResiliencePipeline).Assembly.Location))
        .ToImmutableArray();

    public static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Default,
            "Snippet",
            "Snippet",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: s_parseOptions,
            metadataReferences: s_references));
        return workspace.AddDocument(project.Id, "Snippet.cs", SourceText.From(source));
    }

    /// <summary>What the generator reports on the document's project, plus the compiler's errors after generation.</summary>
    public static async Task<(ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Errors)> DiagnoseAsync(Project project)
    {
        var compilation = await project.GetCompilationAsync().ConfigureAwait(false);
        Assert.NotNull(compilation);
        var driver = CSharpGeneratorDriver.Create(new[] { new ThrottleGenerator().AsSourceGenerator() }, parseOptions: s_parseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return (diagnostics, errors);
    }

    /// <summary>Applies <paramref name="fix"/> to the first <paramref name="id"/> diagnostic and returns the new text.</summary>
    public static async Task<string> ApplyAsync(CodeFixProvider fix, string id, string source)
    {
        var document = CreateDocument(source);
        var diagnostic = (await DiagnoseAsync(document.Project).ConfigureAwait(false)).Generator.First(d => d.Id == id);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await fix.RegisterCodeFixesAsync(context).ConfigureAwait(false);
        var action = Assert.Single(actions);
        Assert.Equal(fix.GetType().GetField("EquivalenceKey")!.GetValue(null), action.EquivalenceKey);
        return await ApplyAsync(document, action).ConfigureAwait(false);
    }

    /// <summary>Asserts that the generator reports <paramref name="id"/> on the snippet and that <paramref name="fix"/> offers nothing for it.</summary>
    public static async Task AssertNoFixAsync(CodeFixProvider fix, string id, string source)
    {
        var document = CreateDocument(source);
        var diagnostic = (await DiagnoseAsync(document.Project).ConfigureAwait(false)).Generator.First(d => d.Id == id);
        var actions = new List<CodeAction>();
        await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None)).ConfigureAwait(false);
        Assert.Empty(actions);
    }

    /// <summary>Fixes every <paramref name="id"/> diagnostic of the document in one Fix All, as the IDE's batch fixer does.</summary>
    public static async Task<string> FixAllAsync(CodeFixProvider fix, string id, string source, FixAllScope scope)
    {
        var document = CreateDocument(source);
        var provider = fix.GetFixAllProvider();
        Assert.NotNull(provider);
        Assert.Contains(scope, provider.GetSupportedFixAllScopes());
        var key = (string)fix.GetType().GetField("EquivalenceKey")!.GetValue(null)!;
        var context = new FixAllContext(document, fix, scope, key, new[] { id }, new GeneratorDiagnostics(), CancellationToken.None);
        var action = await provider.GetFixAsync(context).ConfigureAwait(false);
        Assert.NotNull(action);
        return await ApplyAsync(document, action).ConfigureAwait(false);
    }

    /// <summary>The fixed text compiles: no Throttle diagnostic and no compiler error once the generator has run.</summary>
    public static async Task AssertCleanAsync(string source)
    {
        var (generator, errors) = await DiagnoseAsync(CreateDocument(source).Project).ConfigureAwait(false);
        Assert.True(generator.IsEmpty, string.Join(Environment.NewLine, generator));
        Assert.True(errors.IsEmpty, string.Join(Environment.NewLine, errors));
    }

    private static async Task<string> ApplyAsync(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None).ConfigureAwait(false);
        var apply = Assert.Single(operations.OfType<ApplyChangesOperation>());
        var changed = apply.ChangedSolution.GetDocument(document.Id);
        Assert.NotNull(changed);
        return (await changed.GetTextAsync().ConfigureAwait(false)).ToString();
    }

    /// <summary>Fix All asks for diagnostics per document or project: the generator's, as the IDE shows them.</summary>
    private sealed class GeneratorDiagnostics : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
            var all = await GetAllDiagnosticsAsync(document.Project, cancellationToken).ConfigureAwait(false);
            return all.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            (await DiagnoseAsync(project).ConfigureAwait(false)).Generator;
    }
}
