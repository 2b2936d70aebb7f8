using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Throttle.Analyzers.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

public sealed class ImplementationSignatureCodeFixTests
{
    private const string Id = "THR004";

    [Fact]
    public async Task Adds_the_missing_cancellation_token_and_keeps_the_body()
    {
        const string source = """
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Throttle;

            public partial class GitHubClient
            {
                private readonly HttpClient _http = new();

                [RateLimit(10)]
                public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

                private Task<string> FetchCoreAsync(string url) // the token is missing
                    => _http.GetStringAsync(url);
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

                [RateLimit(10)]
                public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

                private Task<string> FetchCoreAsync(string url, CancellationToken cancellationToken) // the token is missing
                    => _http.GetStringAsync(url);
            }
            """;

        var actual = await CodeFixHarness.ApplyAsync(new ImplementationSignatureCodeFixProvider(), Id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Fact]
    public async Task Fixes_types_return_type_static_and_type_parameters_keeping_parameter_names_by_position()
    {
        const string source = """
            using System.Collections.Generic;
            using Throttle;

            public static partial class Jobs
            {
                [RateLimit(5)]
                public static partial IList<T> Take<T>(IList<T> items, int count) where T : class;

                private IEnumerable<string> TakeCore(List<string> source, long n)
                {
                    return source;
                }
            }
            """;
        const string expected = """
            using System.Collections.Generic;
            using Throttle;

            public static partial class Jobs
            {
                [RateLimit(5)]
                public static partial IList<T> Take<T>(IList<T> items, int count) where T : class;

                private static IList<T> TakeCore<T>(IList<T> source, int n) where T : class
                {
                    return source;
                }
            }
            """;

        var actual = await CodeFixHarness.ApplyAsync(new ImplementationSignatureCodeFixProvider(), Id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Fact]
    public async Task Drops_a_parameter_the_body_does_not_use()
    {
        const string source = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                public partial int Next(int step);

                private int NextCore(int step, string unused) => step + 1;
            }
            """;
        const string expected = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                public partial int Next(int step);

                private int NextCore(int step) => step + 1;
            }
            """;

        var actual = await CodeFixHarness.ApplyAsync(new ImplementationSignatureCodeFixProvider(), Id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    [Fact]
    public async Task Offers_nothing_when_the_body_uses_a_parameter_that_would_go()
    {
        const string source = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                public partial int Next(int step);

                private int NextCore(int step, int extra) => step + extra;
            }
            """;

        await CodeFixHarness.AssertNoFixAsync(new ImplementationSignatureCodeFixProvider(), Id, source);
    }

    [Fact]
    public async Task Offers_nothing_when_the_method_is_another_overloads_implementation()
    {
        // FetchCore(int) implements Fetch(int); Fetch(string) reports it as its near match, but changing it would break Fetch(int).
        const string source = """
            using Throttle;

            public partial class Client
            {
                [RateLimit(5)]
                public partial int Fetch(int id);

                [RateLimit(5)]
                public partial int Fetch(string name);

                private int FetchCore(int id) => id;
            }
            """;

        await CodeFixHarness.AssertNoFixAsync(new ImplementationSignatureCodeFixProvider(), Id, source);
    }

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public async Task Fix_all_fixes_every_implementation(FixAllScope scope)
    {
        const string source = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                public partial int First(int a);

                private long FirstCore(int a) => a;

                [RateLimit(5)]
                public partial void Second(string name);

                private void SecondCore() { }
            }
            """;
        const string expected = """
            using Throttle;

            public partial class Counter
            {
                [RateLimit(5)]
                public partial int First(int a);

                private int FirstCore(int a) => a;

                [RateLimit(5)]
                public partial void Second(string name);

                private void SecondCore(string name) { }
            }
            """;

        var actual = await CodeFixHarness.FixAllAsync(new ImplementationSignatureCodeFixProvider(), Id, source, scope);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }
}
