using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Throttle.Analyzers.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

public sealed class MethodNotPartialCodeFixTests
{
    private const string Id = "THR001";

    [Fact]
    public async Task Expression_body_moves_to_the_implementation_method_after_the_declaration()
    {
        const string source = """
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Throttle;

            public partial class GitHubClient
            {
                private readonly HttpClient _http = new();

                /// <summary>Fetches.</summary>
                [RateLimit(10)]
                public Task<string> FetchAsync(string url, CancellationToken cancellationToken)
                    => _http.GetStringAsync(url, cancellationToken);
            }
            """;
        const string expected = """
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Throttle;

            public partial class GitHubClient
            {
                private readonly HttpClient _http = new();

                /// <summary>Fetches.</summary>
                [RateLimit(10)]
                public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

                private Task<string> FetchCoreAsync(string url, CancellationToken cancellationToken)
                    => _http.GetStringAsync(url, cancellationToken);
            }
            """;

        var actual = await CodeFixHarness.ApplyAsync(new MethodNotPartialCodeFixProvider(), Id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Fact]
    public async Task Static_async_block_body_keeps_static_and_async_on_the_implementation()
    {
        const string source = """
            using System.Threading.Tasks;
            using Throttle;

            public static partial class Jobs
            {
                [RateLimit(5)]
                public static async Task<int> RunAsync(int id)
                {
                    await Task.Yield();
                    return id;
                }
            }
            """;
        const string expected = """
            using System.Threading.Tasks;
            using Throttle;

            public static partial class Jobs
            {
                [RateLimit(5)]
                public static partial Task<int> RunAsync(int id);

                private static async Task<int> RunCoreAsync(int id)
                {
                    await Task.Yield();
                    return id;
                }
            }
            """;

        var actual = await CodeFixHarness.ApplyAsync(new MethodNotPartialCodeFixProvider(), Id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Fact]
    public async Task Method_without_accessibility_gets_private_since_a_non_void_partial_needs_one()
    {
        const string source = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                int Next() => 1;
            }
            """;
        const string expected = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                private partial int Next();

                private int NextCore() => 1;
            }
            """;

        var actual = await CodeFixHarness.ApplyAsync(new MethodNotPartialCodeFixProvider(), Id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Fact]
    public async Task Declaration_without_a_body_only_gains_partial()
    {
        const string source = """
            using System.Threading.Tasks;
            using Throttle;

            public partial class Client
            {
                [RateLimit(5)]
                public Task SendAsync(string message);

                private Task SendCoreAsync(string message) => Task.CompletedTask;
            }
            """;
        const string expected = """
            using System.Threading.Tasks;
            using Throttle;

            public partial class Client
            {
                [RateLimit(5)]
                public partial Task SendAsync(string message);

                private Task SendCoreAsync(string message) => Task.CompletedTask;
            }
            """;

        var actual = await CodeFixHarness.ApplyAsync(new MethodNotPartialCodeFixProvider(), Id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public async Task Fix_all_makes_every_method_partial(FixAllScope scope)
    {
        const string source = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                public int First() => 1;

                [RateLimit(5)]
                public int Second() => 2;
            }
            """;
        const string expected = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                public partial int First();

                private int FirstCore() => 1;

                [RateLimit(5)]
                public partial int Second();

                private int SecondCore() => 2;
            }
            """;

        var actual = await CodeFixHarness.FixAllAsync(new MethodNotPartialCodeFixProvider(), Id, source, scope);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Fact]
    public async Task Offers_nothing_for_a_body_when_the_implementation_method_exists()
    {
        // Moving the body would write a second FetchCore; which body to keep is the user's call.
        const string source = """
            using Throttle;

            public partial class Client
            {
                [RateLimit(5)]
                public int Fetch() => 1;

                private int FetchCore() => 2;
            }
            """;

        await CodeFixHarness.AssertNoFixAsync(new MethodNotPartialCodeFixProvider(), Id, source);
    }
}
