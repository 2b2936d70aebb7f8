using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Throttle.Analyzers.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

public sealed class TypeNotPartialCodeFixTests() : CodeFixTests<TypeNotPartialCodeFixProvider>("THR002")
{
    private const string Run = """
        [RateLimit(5)]
        public static partial int Run();

        private static int RunCore() => 1;
        """;

    [Fact]
    public Task Adds_partial_after_the_other_modifiers() => VerifyFixAsync(
        InType("public static class Jobs", Run),
        InType("public static partial class Jobs", Run));

    [Fact]
    public async Task Nested_type_fixes_every_containing_type_that_lacks_partial()
    {
        const string source = """
            using Throttle;

            namespace Demo;

            class Outer
            {
                public partial class Middle
                {
                    // Keeps its comment.
                    internal record Inner
                    {
                        [RateLimit(5)]
                        public partial int Run();

                        private int RunCore() => 1;
                    }
                }
            }
            """;
        const string expected = """
            using Throttle;

            namespace Demo;

            partial class Outer
            {
                public partial class Middle
                {
                    // Keeps its comment.
                    internal partial record Inner
                    {
                        [RateLimit(5)]
                        public partial int Run();

                        private int RunCore() => 1;
                    }
                }
            }
            """;

        await VerifyFixAsync(source, expected);
    }

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public async Task Fix_all_adds_partial_once_to_each_type(FixAllScope scope)
    {
        const string source = """
            using Throttle;

            public class Outer
            {
                public struct Inner
                {
                    [RateLimit(5)]
                    public partial int Run();

                    private int RunCore() => 1;
                }
            }

            public sealed class Other
            {
                [RateLimit(5)]
                public partial int Run();

                private int RunCore() => 1;
            }
            """;
        const string expected = """
            using Throttle;

            public partial class Outer
            {
                public partial struct Inner
                {
                    [RateLimit(5)]
                    public partial int Run();

                    private int RunCore() => 1;
                }
            }

            public sealed partial class Other
            {
                [RateLimit(5)]
                public partial int Run();

                private int RunCore() => 1;
            }
            """;

        await VerifyFixAllAsync(source, expected, scope);
    }
}
