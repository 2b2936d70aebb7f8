using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Throttle.Analyzers.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

public sealed class ImplementationMissingCodeFixTests() : CodeFixTests<ImplementationMissingCodeFixProvider>("THR003")
{
    [Fact]
    public Task Adds_the_implementation_after_the_declaration_with_a_qualified_exception_without_using_System() => VerifyFixAsync(
        InType(
            "public partial class GitHubClient",
            """
            /// <summary>Fetches.</summary>
            [RateLimit(10)]
            public partial Task<string?> FetchAsync(string url, CancellationToken cancellationToken);
            """,
            "System.Threading", "System.Threading.Tasks"),
        InType(
            "public partial class GitHubClient",
            """
            /// <summary>Fetches.</summary>
            [RateLimit(10)]
            public partial Task<string?> FetchAsync(string url, CancellationToken cancellationToken);

            private Task<string?> FetchCoreAsync(string url, CancellationToken cancellationToken) => throw new System.NotImplementedException();
            """,
            "System.Threading", "System.Threading.Tasks"));

    [Fact]
    public Task Static_generic_method_keeps_static_type_parameters_constraints_and_ref_kinds() => VerifyFixAsync(
        InType(
            "public static partial class Jobs",
            """
            [RateLimit(5)]
            internal static partial T Run<T>(in int id, T fallback) where T : notnull;

            private static void Other() { }
            """,
            "System"),
        InType(
            "public static partial class Jobs",
            """
            [RateLimit(5)]
            internal static partial T Run<T>(in int id, T fallback) where T : notnull;

            private static T RunCore<T>(in int id, T fallback) where T : notnull => throw new NotImplementedException();

            private static void Other() { }
            """,
            "System"));

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public Task Fix_all_adds_one_implementation_per_method(FixAllScope scope) => VerifyFixAllAsync(
        InType(
            "public partial class Counter",
            """
            [RateLimit(5)]
            public partial int First();

            [RateLimit(5)]
            public partial void Second(string name);
            """,
            "System"),
        InType(
            "public partial class Counter",
            """
            [RateLimit(5)]
            public partial int First();

            private int FirstCore() => throw new NotImplementedException();

            [RateLimit(5)]
            public partial void Second(string name);

            private void SecondCore(string name) => throw new NotImplementedException();
            """,
            "System"),
        scope);

    [Fact]
    public Task Offers_nothing_when_a_non_method_member_has_the_implementation_name() => VerifyNoFixAsync(
        // The generator finds no method FetchCore (THR003), but a method of that name next to the property would not compile.
        InType(
            "public partial class Client",
            """
            [RateLimit(5)]
            public partial int Fetch();

            private int FetchCore { get; } = 1;
            """));
}
