using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Throttle.Analyzers.Tests.Pitfalls;

/// <summary>
/// Microsoft.CodeAnalysis.CSharp.CodeFix.Testing over fixed reference assemblies that need no download: its
/// <see cref="ReferenceAssemblies"/> names a framework but no package (the NuGet-resolved ones would fetch packages at
/// test time), and the references are the .NET 10 reference assemblies of Basic.Reference.Assemblies.Net100, Throttle's
/// own, and ASP.NET Core's from the shared framework this test runs on. The framework checks each diagnostic's span from
/// the markup, that the fixed code has no compiler error, and Fix All in document, project and solution.
/// </summary>
internal static class PitfallVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    private static readonly ImmutableArray<MetadataReference> s_references = Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(RateLimitAttribute).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(ThrottleRuntime).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(StackExchange.Redis.IConnectionMultiplexer).Assembly.Location))
        .Concat(AspNetReferences.All)
        .ToImmutableArray();

    /// <summary>Reports exactly the markup's diagnostics (<c>{|THR901:...|}</c>) and fixes the source into <paramref name="fixedSource"/>.</summary>
    public static Task VerifyAsync(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new Test(source, fixedSource);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Reports exactly the markup's diagnostics and offers no fix for them.</summary>
    public static Task VerifyNoFixAsync(string source, params DiagnosticResult[] expected) => VerifyAsync(source, source, expected);

    public static DiagnosticResult Diagnostic() => new DiagnosticResult(new TAnalyzer().SupportedDiagnostics.Single());

    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test(string source, string fixedSource)
        {
            TestCode = source;
            FixedCode = fixedSource;
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestState.AdditionalReferences.AddRange(s_references);
            TestState.OutputKind = OutputKind.DynamicallyLinkedLibrary;
        }

        protected override ParseOptions CreateParseOptions() => new CSharpParseOptions(LanguageVersion.CSharp12);

        protected override CompilationOptions CreateCompilationOptions() =>
            ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);
    }
}
