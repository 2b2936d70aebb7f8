using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Throttle.Generator.Tests;

/// <summary>One run of <see cref="ThrottleGenerator"/> over some C# sources.</summary>
/// <param name="Input">The compilation the generator saw.</param>
/// <param name="Output">The compilation with the generated sources added.</param>
/// <param name="GeneratorDiagnostics">What the generator reported.</param>
/// <param name="Sources">The generated files, ordered by hint name.</param>
/// <param name="Driver">The driver after the run (for incremental re-runs).</param>
internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    IReadOnlyList<GeneratedFile> Sources,
    GeneratorDriver Driver)
{
    /// <summary>Errors and warnings of the final compilation (hidden and info diagnostics left out).</summary>
    public IReadOnlyList<Diagnostic> OutputDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    public string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
}

internal sealed record GeneratedFile(string HintName, string Text);

/// <summary>Compiles C# against .NET 10 reference assemblies plus Throttle's, and runs the generator on it.</summary>
internal static class GeneratorHarness
{
    /// <summary>Roslyn 4.8 (the oldest compiler the generator supports) speaks C# 12.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly ImmutableArray<MetadataReference> s_references = Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(RateLimitAttribute).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(ThrottleRuntime).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(Polly.ResiliencePipeline).Assembly.Location))
        .ToImmutableArray();

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Throttle.Generated." + Guid.NewGuid().ToString("N"),
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            s_references,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Debug));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new ThrottleGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources), CreateDriver());

    public static GeneratorRun Run(CSharpCompilation input, GeneratorDriver driver)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
        var result = driver.GetRunResult();
        var exceptions = result.Results.Where(r => r.Exception is not null).Select(r => r.Exception!).ToList();
        if (exceptions.Count > 0)
        {
            throw new AggregateException("The generator threw.", exceptions);
        }

        var files = result.Results
            .SelectMany(r => r.GeneratedSources)
            .Select(s => new GeneratedFile(s.HintName, s.SourceText.ToString()))
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToList();
        return new GeneratorRun(input, output, diagnostics, files, driver);
    }
}
