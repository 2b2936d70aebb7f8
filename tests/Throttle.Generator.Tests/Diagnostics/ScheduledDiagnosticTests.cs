using System.Linq;
using Xunit;

namespace Throttle.Generator.Tests.Diagnostics;

/// <summary>The THR5xx diagnostics of <c>[Scheduled]</c>, each at its exact span, and the method left unregistered.</summary>
public sealed class ScheduledDiagnosticTests
{
    private const string Usings = """
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        """;

    [Fact]
    public void THR501_NoInterval() => AssertSingle("THR501", """
        public static partial class Jobs
        {
            [[|Scheduled(Name = "x")|]]
            public static Task RunAsync() => Task.CompletedTask;
        }
        """, "needs an interval");

    [Fact]
    public void THR501_IntervalAndCron() => AssertSingle("THR501", """
        public static partial class Jobs
        {
            [Scheduled(Seconds = 5, Cron = [|"* * * * *"|])]
            public static Task RunAsync() => Task.CompletedTask;
        }
        """, "not both");

    [Theory]
    [InlineData("Seconds = [|0|]")]
    [InlineData("Seconds = [|-1|]")]
    [InlineData("Minutes = [|double.NaN|]")]
    [InlineData("Hours = [|double.PositiveInfinity|]")]
    public void THR502_IntervalNotPositive(string argument) => AssertSingle("THR502", $$"""
        public static partial class Jobs
        {
            [Scheduled({{argument}})]
            public static Task RunAsync() => Task.CompletedTask;
        }
        """, "must be a positive, finite number");

    [Theory]
    [InlineData("[|int|]")]
    [InlineData("[|Task<int>|]")]
    [InlineData("async [|void|]")]
    public void THR503_ReturnType(string returns) => AssertSingle("THR503", $$"""
        public static partial class Jobs
        {
            [Scheduled(Seconds = 1)]
            public static {{returns}} Run() => throw null!;
        }
        """.Replace("async void Run() => throw null!;", "async void Run() { await Task.Yield(); }"), "returns");

    [Theory]
    [InlineData("[|(int count)|]", "takes 'int count'")]
    [InlineData("[|(CancellationToken a, CancellationToken b)|]", "takes 2 parameters")]
    [InlineData("[|(ref CancellationToken token)|]", "takes 'ref")]
    public void THR504_Parameters(string parameters, string fragment) => AssertSingle("THR504", $$"""
        public static partial class Jobs
        {
            [Scheduled(Seconds = 1)]
            public static Task Run{{parameters}} => Task.CompletedTask;
        }
        """, fragment);

    [Fact]
    public void An_optional_cancellation_token_is_accepted()
    {
        var run = GeneratorHarness.Run(Usings + """
            public static partial class Jobs
            {
                [Scheduled(Seconds = 1)]
                public static Task RunAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
    }

    [Fact]
    public void THR505_DuplicateName()
    {
        var markup = Markup.Parse(Usings + """
            public static partial class Jobs
            {
                [Scheduled(Seconds = 1, Name = "report")]
                public static Task FirstAsync() => Task.CompletedTask;

                [Scheduled(Seconds = 2, Name = [|"report"|])]
                public static Task SecondAsync() => Task.CompletedTask;
            }
            """);
        var run = GeneratorHarness.Run(markup.Source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("THR505", diagnostic.Id);
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Contains("Jobs.FirstAsync", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void THR505_DefaultNamesOfOverloads()
    {
        var run = GeneratorHarness.Run(Usings + """
            public static partial class Jobs
            {
                [Scheduled(Seconds = 1)]
                public static Task RunAsync() => Task.CompletedTask;

                [Scheduled(Seconds = 2)]
                public static Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            }
            """);
        Assert.Equal("THR505", Assert.Single(run.GeneratorDiagnostics).Id);
    }

    [Fact]
    public void THR506_LeadershipWithoutOnlyOnLeader() => AssertSingle("THR506", """
        public static partial class Jobs
        {
            [Scheduled(Seconds = 1, Leadership = [|"reports"|])]
            public static Task RunAsync() => Task.CompletedTask;
        }
        """, "OnlyOnLeader is false");

    [Fact]
    public void THR107_EmptyName() => AssertSingle("THR107", """
        public static partial class Jobs
        {
            [Scheduled(Seconds = 1, Name = [|""|])]
            public static Task RunAsync() => Task.CompletedTask;
        }
        """, "Name must not be empty");

    [Fact]
    public void THR507_TypeNotPartial() => AssertSingle("THR507", """
        public static class Jobs
        {
            [Scheduled(Seconds = 1)]
            public static Task [|RunAsync|]() => Task.CompletedTask;
        }
        """, "is not partial");

    [Fact]
    public void THR507_StaticJobInAPrivateNestedType() => AssertSingle("THR507", """
        public partial class Outer
        {
            private static partial class Jobs
            {
                [Scheduled(Seconds = 1)]
                public static Task [|RunAsync|]() => Task.CompletedTask;
            }
        }
        """, "not reachable");

    [Fact]
    public void THR507_InstanceJobInAStruct() => AssertSingle("THR507", """
        public partial struct Jobs
        {
            [Scheduled(Seconds = 1)]
            public Task [|RunAsync|]() => Task.CompletedTask;
        }
        """, "not a class");

    private static void AssertSingle(string id, string markedSource, string messageFragment)
    {
        var markup = Markup.Parse(Usings + markedSource);
        var run = GeneratorHarness.Run(markup.Source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Contains(messageFragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.DoesNotContain(run.Sources, s => s.HintName.Contains("Scheduled", System.StringComparison.Ordinal));
    }
}
