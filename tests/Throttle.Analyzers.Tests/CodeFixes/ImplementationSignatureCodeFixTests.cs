using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Throttle.Analyzers.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

public sealed class ImplementationSignatureCodeFixTests() : CodeFixTests<ImplementationSignatureCodeFixProvider>("THR004")
{
    private const string Counter = "public partial class Counter";

    [Fact]
    public Task Adds_the_missing_cancellation_token_and_keeps_the_body() => VerifyFixAsync(
        InGitHubClient(
            """
            [RateLimit(10)]
            public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

            private Task<string> FetchCoreAsync(string url) // the token is missing
                => _http.GetStringAsync(url);
            """),
        InGitHubClient(
            """
            [RateLimit(10)]
            public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

            private Task<string> FetchCoreAsync(string url, CancellationToken cancellationToken) // the token is missing
                => _http.GetStringAsync(url);
            """));

    [Fact]
    public Task Fixes_types_return_type_static_and_type_parameters_keeping_parameter_names_by_position() => VerifyFixAsync(
        InType(
            "public static partial class Jobs",
            """
            [RateLimit(5)]
            public static partial IList<T> Take<T>(IList<T> items, int count) where T : class;

            private IEnumerable<string> TakeCore(List<string> source, long n)
            {
                return source;
            }
            """,
            "System.Collections.Generic"),
        InType(
            "public static partial class Jobs",
            """
            [RateLimit(5)]
            public static partial IList<T> Take<T>(IList<T> items, int count) where T : class;

            private static IList<T> TakeCore<T>(IList<T> source, int n) where T : class
            {
                return source;
            }
            """,
            "System.Collections.Generic"));

    [Fact]
    public Task Drops_a_parameter_the_body_does_not_use() => VerifyFixAsync(
        InType(
            Counter,
            """
            [RateLimit(5)]
            public partial int Next(int step);

            private int NextCore(int step, string unused) => step + 1;
            """),
        InType(
            Counter,
            """
            [RateLimit(5)]
            public partial int Next(int step);

            private int NextCore(int step) => step + 1;
            """));

    [Fact]
    public Task Offers_nothing_when_the_body_uses_a_parameter_that_would_go() => VerifyNoFixAsync(
        InType(
            Counter,
            """
            [RateLimit(5)]
            public partial int Next(int step);

            private int NextCore(int step, int extra) => step + extra;
            """));

    [Fact]
    public Task Offers_nothing_when_the_method_is_another_overloads_implementation() => VerifyNoFixAsync(
        // FetchCore(int) implements Fetch(int); Fetch(string) reports it as its near match, but changing it would break Fetch(int).
        InType(
            "public partial class Client",
            """
            [RateLimit(5)]
            public partial int Fetch(int id);

            [RateLimit(5)]
            public partial int Fetch(string name);

            private int FetchCore(int id) => id;
            """));

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public Task Fix_all_fixes_every_implementation(FixAllScope scope) => VerifyFixAllAsync(
        InType(
            Counter,
            """
            [RateLimit(5)]
            public partial int First(int a);

            private long FirstCore(int a) => a;

            [RateLimit(5)]
            public partial void Second(string name);

            private void SecondCore() { }
            """),
        InType(
            Counter,
            """
            [RateLimit(5)]
            public partial int First(int a);

            private int FirstCore(int a) => a;

            [RateLimit(5)]
            public partial void Second(string name);

            private void SecondCore(string name) { }
            """),
        scope);
}
