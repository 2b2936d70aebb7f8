using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Throttle.Analyzers.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

public sealed class MethodNotPartialCodeFixTests() : CodeFixTests<MethodNotPartialCodeFixProvider>("THR001")
{
    [Fact]
    public Task Expression_body_moves_to_the_implementation_method_after_the_declaration() => VerifyFixAsync(
        InGitHubClient(
            """
            /// <summary>Fetches.</summary>
            [RateLimit(10)]
            public Task<string> FetchAsync(string url, CancellationToken cancellationToken)
                => _http.GetStringAsync(url, cancellationToken);
            """),
        InGitHubClient(
            """
            /// <summary>Fetches.</summary>
            [RateLimit(10)]
            public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

            private Task<string> FetchCoreAsync(string url, CancellationToken cancellationToken)
                => _http.GetStringAsync(url, cancellationToken);
            """));

    [Fact]
    public Task Static_async_block_body_keeps_static_and_async_on_the_implementation() => VerifyFixAsync(
        InType(
            "public static partial class Jobs",
            """
            [RateLimit(5)]
            public static async Task<int> RunAsync(int id)
            {
                await Task.Yield();
                return id;
            }
            """,
            "System.Threading.Tasks"),
        InType(
            "public static partial class Jobs",
            """
            [RateLimit(5)]
            public static partial Task<int> RunAsync(int id);

            private static async Task<int> RunCoreAsync(int id)
            {
                await Task.Yield();
                return id;
            }
            """,
            "System.Threading.Tasks"));

    [Fact]
    public Task Method_without_accessibility_gets_private_since_a_non_void_partial_needs_one() => VerifyFixAsync(
        InType(
            "public partial class Counter",
            """
            [RateLimit(5)]
            int Next() => 1;
            """),
        InType(
            "public partial class Counter",
            """
            [RateLimit(5)]
            private partial int Next();

            private int NextCore() => 1;
            """));

    [Fact]
    public Task Declaration_without_a_body_only_gains_partial() => VerifyFixAsync(
        InType(
            "public partial class Client",
            """
            [RateLimit(5)]
            public Task SendAsync(string message);

            private Task SendCoreAsync(string message) => Task.CompletedTask;
            """,
            "System.Threading.Tasks"),
        InType(
            "public partial class Client",
            """
            [RateLimit(5)]
            public partial Task SendAsync(string message);

            private Task SendCoreAsync(string message) => Task.CompletedTask;
            """,
            "System.Threading.Tasks"));

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public Task Fix_all_makes_every_method_partial(FixAllScope scope) => VerifyFixAllAsync(
        InType(
            "public partial class Counter",
            """
            [RateLimit(5)]
            public int First() => 1;

            [RateLimit(5)]
            public int Second() => 2;
            """),
        InType(
            "public partial class Counter",
            """
            [RateLimit(5)]
            public partial int First();

            private int FirstCore() => 1;

            [RateLimit(5)]
            public partial int Second();

            private int SecondCore() => 2;
            """),
        scope);

    [Fact]
    public Task Offers_nothing_for_a_body_when_the_implementation_method_exists() => VerifyNoFixAsync(
        // Moving the body would write a second FetchCore; which body to keep is the user's call.
        InType(
            "public partial class Client",
            """
            [RateLimit(5)]
            public int Fetch() => 1;

            private int FetchCore() => 2;
            """));
}
