using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Throttle.Generator.Tests.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports: its id, its exact location (the span marked <c>[|...|]</c> in the source)
/// and, where it matters, its message.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        """;

    [Fact]
    public void THR001_MethodNotPartial() => AssertSingle("THR001", """
        public partial class Client
        {
            [RateLimit(5)]
            public Task<string> [|FetchAsync|](string url) => Task.FromResult(url);
        }
        """, "FetchAsync", "'FetchCoreAsync'");

    [Fact]
    public void THR002_ContainingTypeNotPartial() => AssertSingle("THR002", """
        public class [|Client|]
        {
            [RateLimit(5)]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "Client", "Type 'Client' contains the Throttle method 'FetchAsync'");

    [Fact]
    public void THR002_OuterTypeNotPartial() => AssertSingle("THR002", """
        public class [|Outer|]
        {
            public partial class Inner
            {
                [RateLimit(5)]
                public partial Task FetchAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
            }
        }
        """, "Outer");

    [Fact]
    public void THR003_ImplementationMissing() => AssertSingle("THR003", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial Task<string> [|FetchAsync|](string url, CancellationToken cancellationToken);
        }
        """, "FetchAsync", "Method 'FetchAsync' needs an implementation method with this signature: private Task<string> FetchCoreAsync(string url, CancellationToken cancellationToken)");

    [Fact]
    public void THR003_StaticImplementationMissing() => AssertSingle("THR003", """
        public static partial class Client
        {
            [RateLimit(5)]
            public static partial int [|Count|](this string text, params int[] values);
        }
        """, "Count", "private static int CountCore(string text, params int[] values)");

    [Fact]
    public void THR004_ImplementationSignatureMismatch() => AssertSingle("THR004", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

            private Task<string> [|FetchCoreAsync|](Uri url, CancellationToken cancellationToken) => Task.FromResult(url.ToString());
        }
        """, "FetchCoreAsync", "Method 'FetchCoreAsync' does not match 'FetchAsync': the implementation method must have this signature: private Task<string> FetchCoreAsync(string url, CancellationToken cancellationToken)");

    [Fact]
    public void THR004_InstanceImplementationOfStaticMethod() => AssertSingle("THR004", """
        public partial class Client
        {
            [RateLimit(5)]
            public static partial Task FetchAsync();

            private Task [|FetchCoreAsync|]() => Task.CompletedTask;
        }
        """, "FetchCoreAsync", "private static Task FetchCoreAsync()");

    [Fact]
    public void THR005_RefParameter() => AssertSingle("THR005", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial void Fetch([|ref int count|]);

            private void FetchCore(ref int count) => count++;
        }
        """, "ref int count", "Parameter 'count' is passed by 'ref'");

    [Fact]
    public void THR005_OutParameter() => AssertSingle("THR005", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial bool TryFetch(string url, [|out string result|]);

            private bool TryFetchCore(string url, out string result) { result = url; return true; }
        }
        """, "out string result", "an 'out' parameter");

    [Fact]
    public void THR005_RefStructInAsyncMethod() => AssertSingle("THR005", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial Task SendAsync([|ReadOnlySpan<byte> data|]);

            private Task SendCoreAsync(ReadOnlySpan<byte> data) => Task.CompletedTask;
        }
        """, "ReadOnlySpan<byte> data", "ref struct type 'ReadOnlySpan<byte>'");

    [Fact]
    public void THR006_AsyncEnumerable() => AssertSingle("THR006", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial [|IAsyncEnumerable<int>|] StreamAsync();

            private IAsyncEnumerable<int> StreamCoreAsync() => throw new NotImplementedException();
        }
        """, "IAsyncEnumerable<int>", "Method 'StreamAsync' returns 'IAsyncEnumerable<int>'");

    [Fact]
    public void THR006_RefReturn() => AssertSingle("THR006", """
        public partial class Client
        {
            private int _value;

            [RateLimit(5)]
            public partial [|ref int|] Get();

            private ref int GetCore() => ref _value;
        }
        """, "ref int", "returns 'ref int'");

    [Theory]
    [InlineData("[Queued(Workers = [|0|])]", "Workers must be at least 1, but is 0")]
    [InlineData("[Queued(MaxSize = [|-5|])]", "MaxSize must be at least 1, but is -5")]
    [InlineData("[CircuitBreaker(FailureThreshold = [|0|])]", "FailureThreshold must be at least 1, but is 0")]
    [InlineData("[CircuitBreaker(BreakSeconds = [|0|])]", "BreakSeconds must be a positive, finite number, but is 0")]
    [InlineData("[CircuitBreaker(BreakSeconds = [|double.PositiveInfinity|])]", "BreakSeconds must be a positive, finite number, but is Infinity")]
    [InlineData("[Retry(MaxRetries = [|-1|])]", "MaxRetries must be at least 0, but is -1")]
    [InlineData("[Retry(BaseDelaySeconds = [|double.NaN|])]", "BaseDelaySeconds must be a positive, finite number, but is NaN")]
    [InlineData("[Retry(MaxDelaySeconds = [|-2|])]", "MaxDelaySeconds must be a positive, finite number, but is -2")]
    [InlineData("[Retry(ExponentialBase = [|0.5|])]", "ExponentialBase must be a finite number of at least 1, but is 0.5")]
    [InlineData("[DistributedSemaphore(\"db\", [|0|], AcquireTimeoutSeconds = 5)]", "Value must be at least 1, but is 0")]
    [InlineData("[DistributedSemaphore(\"db\", 3, AcquireTimeoutSeconds = [|0|])]", "AcquireTimeoutSeconds must be positive or double.PositiveInfinity, but is 0")]
    [InlineData("[DistributedSemaphore(\"db\", 3, AcquireTimeoutSeconds = 5, LeaseSeconds = [|double.PositiveInfinity|])]", "LeaseSeconds must be a finite number of at least 0.03, but is Infinity")]
    [InlineData("[DistributedSemaphore(\"db\", 3, AcquireTimeoutSeconds = 5, LeaseSeconds = [|0.01|])]", "LeaseSeconds must be a finite number of at least 0.03, but is 0.01")]
    [InlineData("[DistributedSemaphore(\"db\", 3, AcquireTimeoutSeconds = 5, AcquireSleepDelaySeconds = [|-0.1|])]", "AcquireSleepDelaySeconds must be a positive, finite number, but is -0.1")]
    public void THR009_OptionOutOfRange(string attribute, string message) => AssertSingle("THR009", $$"""
        public partial class Client
        {
            {{attribute}}
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, Markup.Parse(attribute).Text(Markup.Parse(attribute).Span), message);

    [Fact]
    public void THR108_BurstOnSlidingWindow() => AssertSingle("THR108", """
        public partial class Client
        {
            [RateLimit(5, Strategy = RateLimitStrategy.SlidingWindow, Burst = [|10|])]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "10", "SlidingWindow admits at most the rate");

    [Fact]
    public void THR109_UnknownStrategy() => AssertSingle("THR109", """
        public partial class Client
        {
            [RateLimit(5, Strategy = [|(RateLimitStrategy)7|])]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "(RateLimitStrategy)7", "(RateLimitStrategy)7 is not a RateLimitStrategy");

    [Theory]
    [InlineData("void", "")]
    [InlineData("int", " => 1")]
    public void THR201_QueuedSynchronousMethod(string returnType, string body) => AssertSingle("THR201", $$"""
        public partial class Client
        {
            [[|Queued|]]
            public partial {{returnType}} Fetch();

            private {{returnType}} FetchCore(){{(body.Length == 0 ? " { }" : body + ";")}}
        }
        """, "Queued", $"[Queued] on 'Fetch' returns '{returnType}'");

    [Theory]
    [InlineData("missing", "it has id, priority")]
    [InlineData("id", "'id' is string")]
    public void THR202_PriorityParameterInvalid(string name, string reason) => AssertSingle("THR202", $$"""
        public partial class Client
        {
            [Queued(PriorityParameter = [|"{{name}}"|])]
            public partial Task FetchAsync(string id, int priority);

            private Task FetchCoreAsync(string id, int priority) => Task.CompletedTask;
        }
        """, $"\"{name}\"", reason);

    [Fact]
    public void THR203_PriorityTwice() => AssertSingle("THR203", """
        public partial class Client
        {
            [Queued(Priority = [|3|], PriorityParameter = "priority")]
            public partial Task FetchAsync(int priority);

            private Task FetchCoreAsync(int priority) => Task.CompletedTask;
        }
        """, "3", "sets both Priority and PriorityParameter");

    [Fact]
    public void THR204_QueueOptionsWithNamedQueue() => AssertSingle("THR204", """
        public partial class Client
        {
            [Queued(Queue = "shared", Workers = [|4|])]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "4", "uses the registered queue 'shared', which has its own settings; remove Workers");

    [Theory]
    [InlineData("CircuitBreaker")]
    [InlineData("Retry")]
    public void THR301_HandlesNotException(string attribute) => AssertSingle("THR301", $$"""
        public partial class Client
        {
            [{{attribute}}(Handles = [|new[] { typeof(TimeoutException), typeof(string) }|])]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "new[] { typeof(TimeoutException), typeof(string) }", $"'string' in {attribute}.Handles is not an exception type");

    [Fact]
    public void THR302_MaxDelayBelowBaseDelay() => AssertSingle("THR302", """
        public partial class Client
        {
            [Retry(BaseDelaySeconds = 10, MaxDelaySeconds = [|2|])]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "2", "MaxDelaySeconds (2) is below BaseDelaySeconds (10)", generatesBody: true);

    [Fact]
    public void THR401_NoAcquireTimeout() => AssertSingle("THR401", """
        public partial class Client
        {
            [[|DistributedSemaphore("db", 3)|]]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "DistributedSemaphore(\"db\", 3)", "[DistributedSemaphore] on 'FetchAsync' has no AcquireTimeoutSeconds", generatesBody: true);

    [Theory]
    [InlineData("[DistributedSemaphore(Semaphore = \"licences\", AcquireTimeoutSeconds = 5, LeaseSeconds = [|60|])]", "names the registered semaphore 'licences', which has its own settings; remove LeaseSeconds")]
    [InlineData("[DistributedSemaphore(Semaphore = \"licences\", AcquireSleepDelaySeconds = [|1|], PartitionKey = \"request.Id\", AcquireTimeoutSeconds = 5)]", "remove AcquireSleepDelaySeconds, PartitionKey")]
    [InlineData("[DistributedSemaphore([|\"licences\"|], 3, Semaphore = \"licences\", AcquireTimeoutSeconds = 5)]", "remove Key, Value")]
    public void THR404_SemaphoreWithRegisteredOptions(string attribute, string message) => AssertOnAttribute("THR404", attribute, message);

    [Fact]
    public void THR401_NoAcquireTimeoutOnARegisteredSemaphore()
    {
        var run = GeneratorHarness.Run(Usings + """
            public partial class Client
            {
                [DistributedSemaphore(Semaphore = "licences")]
                public partial Task FetchAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
            }
            """);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("THR401", diagnostic.Id);
        Assert.Contains("[DistributedSemaphore] on 'FetchAsync' has no AcquireTimeoutSeconds", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);

        // The body and the manifest recording the registered semaphore, both compiling.
        Assert.Equal(2, run.Sources.Count);
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
    }

    [Fact]
    public void THR402_PartitionKeyNotFound() => AssertSingle("THR402", """
        public partial class Client
        {
            [DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 5, PartitionKey = [|"tenant.Name"|])]
            public partial Task FetchAsync(string tenant);

            private Task FetchCoreAsync(string tenant) => Task.CompletedTask;
        }
        """, "\"tenant.Name\"", "PartitionKey 'tenant.Name' does not resolve: 'Name' is not a readable field or property of 'string'");

    [Fact]
    public void THR005_RefStructThroughResiliencePipeline() => AssertSingle("THR005", """
        public partial class Client
        {
            [Retry]
            public partial int Parse([|ReadOnlySpan<char> text|]);

            private int ParseCore(ReadOnlySpan<char> text) => text.Length;
        }
        """, "ReadOnlySpan<char> text", "cannot be passed through the [CircuitBreaker]/[Retry] pipeline's callback");

    [Fact]
    public void THR008_AlreadyImplemented() => AssertSingle("THR008", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial Task [|FetchAsync|]() => Task.CompletedTask;

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "FetchAsync", "Method 'FetchAsync' already has a body");

    [Fact]
    public void THR008_BodyInASecondPartialDeclaration() => AssertSingle("THR008", """
        public partial class Client
        {
            [RateLimit(5)]
            public partial Task FetchAsync();

            public partial Task [|FetchAsync|]() => Task.CompletedTask;

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "FetchAsync", "Method 'FetchAsync' already has a body; the Throttle generator writes it. Move the body to 'FetchCoreAsync'");

    [Fact]
    public void THR008_BodyInAnotherFileReplacesCS0757()
    {
        var implementation = Markup.Parse(Usings + """
            public partial class Client
            {
                public partial Task<int> [|CountAsync|](int start) => Task.FromResult(start);
            }
            """);
        var run = GeneratorHarness.Run(Usings + """
            public partial class Client
            {
                [Retry]
                public partial Task<int> CountAsync(int start);

                private Task<int> CountCoreAsync(int start) => Task.FromResult(start);
            }
            """, implementation.Source);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("THR008", diagnostic.Id);
        Assert.Equal("Source1.cs", diagnostic.Location.SourceTree!.FilePath);
        Assert.Equal(implementation.Span, diagnostic.Location.SourceSpan);

        // Nothing is generated for the method, so the compiler has no second implementation to complain about.
        Assert.Empty(run.Sources);
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Theory]
    [InlineData("[RateLimit([|double.NaN|])]", "Rate must be a positive, finite number, but is NaN")]
    [InlineData("[RateLimit([|double.PositiveInfinity|])]", "Rate must be a positive, finite number, but is Infinity")]
    [InlineData("[RateLimit([|0|])]", "Rate must be a positive, finite number, but is 0")]
    [InlineData("[RateLimit([|-3|])]", "Rate must be a positive, finite number, but is -3")]
    [InlineData("[RateLimit(5, Per = [|double.NaN|])]", "Per must be a positive, finite number, but is NaN")]
    [InlineData("[RateLimit(5, Per = [|double.PositiveInfinity|])]", "Per must be")]
    [InlineData("[RateLimit(5, Per = [|0|])]", "Per must be a positive, finite number, but is 0")]
    [InlineData("[RateLimit(5, Per = [|-1.5|])]", "Per must be a positive, finite number, but is -1.5")]
    [InlineData("[RateLimit(5, Burst = [|double.NaN|])]", "Burst must be a positive, finite number, but is NaN")]
    [InlineData("[RateLimit(5, Burst = [|double.PositiveInfinity|])]", "Burst must be")]
    [InlineData("[RateLimit(5, Burst = [|-0.5|])]", "Burst must be a positive, finite number, but is -0.5")]
    [InlineData("[RateLimit(5, Burst = [|-1|])]", "Burst must be a positive, finite number, but is -1")]
    public void THR101_InvalidNumber(string attribute, string message) => AssertOnAttribute("THR101", attribute, message);

    [Theory]
    [InlineData("[RateLimit(5, MaxWaitSeconds = [|-1|])]", "but is -1")]
    [InlineData("[RateLimit(5, MaxWaitSeconds = [|double.NaN|])]", "but is NaN")]
    [InlineData("[RateLimit(5, MaxWaitSeconds = [|double.NegativeInfinity|])]", "MaxWaitSeconds must be zero, positive or double.PositiveInfinity")]
    public void THR102_InvalidMaxWait(string attribute, string message) => AssertOnAttribute("THR102", attribute, message);

    [Theory]
    [InlineData("[RateLimit(5, Key = [|\"nope\"|])]", "Key 'nope' does not resolve: 'nope' is not a parameter of 'FetchAsync' (it has request, cancellationToken)")]
    [InlineData("[RateLimit(5, Key = [|\"request.Nope\"|])]", "Key 'request.Nope' does not resolve: 'Nope' is not a readable field or property of 'Request'")]
    [InlineData("[RateLimit(5, Key = [|\"request.Secret\"|])]", "'Secret' is not a readable field or property of 'Request'")]
    [InlineData("[RateLimit(5, Key = [|\"request.Static\"|])]", "'Static' is not a readable field or property of 'Request'")]
    [InlineData("[RateLimit(5, Key = [|\"request.\"|])]", "'' is not a readable field or property of 'Request'")]
    [InlineData("[RateLimit(5, Key = [|\"\"|])]", "Key '' does not resolve: '' is not a parameter of 'FetchAsync'")]
    public void THR103_KeyNotFound(string attribute, string message) => AssertOnAttribute("THR103", attribute, message);

    [Fact]
    public void THR103_MethodWithoutParameters() => AssertSingle("THR103", """
        public partial class Client
        {
            [RateLimit(5, Key = [|"id"|])]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "\"id\"", "'id' is not a parameter of 'FetchAsync' (it has none)");

    [Theory]
    [InlineData("[[|RateLimit|]]")]
    [InlineData("[[|RateLimit()|]]")]
    [InlineData("[[|RateLimit(Key = \"request\")|]]")]
    public void THR104_RateOrLimiterRequired(string attribute) =>
        AssertOnAttribute("THR104", attribute, "[RateLimit] on 'FetchAsync' needs a rate");

    [Theory]
    [InlineData("[RateLimit([|10|], Per = 1, Limiter = \"github\")]", "remove the rate, Per")]
    [InlineData("[RateLimit(Limiter = \"github\", Burst = [|5|], Strategy = RateLimitStrategy.TokenBucket)]", "names the limiter 'github', which has its own settings; remove Burst, Strategy")]
    [InlineData("[RateLimit(Strategy = [|RateLimitStrategy.SlidingWindow|], Limiter = \"github\")]", "remove Strategy")]
    public void THR105_LimiterWithRateOptions(string attribute, string message) => AssertOnAttribute("THR105", attribute, message);

    [Theory]
    [InlineData("[RateLimit(5, Burst = [|0.5|])]", "the bucket holds only 0.5")]
    [InlineData("[RateLimit([|0.5|])]", "the bucket holds only 0.5; set Burst to 1 or more")]
    [InlineData("[RateLimit([|0.25|], Per = 10)]", "holds only 0.25")]
    public void THR106_BurstBelowOneCall(string attribute, string message) => AssertOnAttribute("THR106", attribute, message);

    [Theory]
    [InlineData("[RateLimit(5, Scope = [|\"\"|])]", "Scope must not be empty")]
    [InlineData("[RateLimit(5, Scope = [|\"   \"|])]", "Scope must not be empty")]
    [InlineData("[RateLimit(5, Limiter = [|\"\"|])]", "Limiter must not be empty")]
    public void THR107_EmptyName(string attribute, string message) => AssertOnAttribute("THR107", attribute, message);

    [Fact]
    public void SeveralProblemsAreAllReported()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [RateLimit([|double.NaN|], Per = [|0|], MaxWaitSeconds = [|-1|], Key = [|"missing"|])]
                public partial Task FetchAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
            }
            """);
        var run = GeneratorHarness.Run(markup.Source);
        Assert.Equal(["THR101", "THR101", "THR102", "THR103"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal(markup.Spans, run.GeneratorDiagnostics.Select(d => d.Location.SourceSpan));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void ErrorTypesAreLeftToTheCompiler()
    {
        var run = GeneratorHarness.Run(Usings + """
            public partial class Client
            {
                [RateLimit(5, Key = "value.Id")]
                public partial Task FetchAsync(Missing value);

                [RateLimit(5)]
                public partial Missing GetAsync();
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0246");
    }

    [Fact]
    public void EveryDiagnosticIsAnErrorWithHelpLink()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [[|RateLimit|]]
                public partial Task FetchAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
            }
            """);
        var diagnostic = Assert.Single(GeneratorHarness.Run(markup.Source).GeneratorDiagnostics);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("https://github.com/throttle-dotnet/throttle/blob/main/docs/diagnostics.md#thr104", diagnostic.Descriptor.HelpLinkUri);
    }

    private static void AssertOnAttribute(string id, string attribute, string messageFragment)
    {
        var markup = Markup.Parse(attribute);
        AssertSingle(id, $$"""
            public sealed class Request
            {
                public static string Static { get; } = "";
                public string Id { get; set; } = "";
                private string Secret { get; } = "";
                public string Reveal() => Secret;
            }

            public partial class Client
            {
                {{attribute}}
                public partial Task FetchAsync(Request request, CancellationToken cancellationToken);

                private Task FetchCoreAsync(Request request, CancellationToken cancellationToken) => Task.CompletedTask;
            }
            """, markup.Text(markup.Span), messageFragment);
    }

    internal static void AssertSingle(string id, string markedSource, string spanText, string? messageFragment = null, bool generatesBody = false)
    {
        var markup = Markup.Parse(Usings + markedSource);
        var run = GeneratorHarness.Run(markup.Source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(spanText, markup.Text(markup.Span));
        Assert.Equal(markup.Span, diagnostic.Location.SourceSpan);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        var line = markup.Source[..markup.Span.Start].Count(c => c == '\n');
        Assert.Equal(line, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        if (messageFragment is not null)
        {
            Assert.Contains(messageFragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        }

        if (generatesBody)
        {
            // A warning or an info leaves the wrapper in place, and it compiles.
            Assert.Single(run.Sources);
            Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
        }
        else
        {
            // A method the generator refuses gets no body.
            Assert.Empty(run.Sources);
        }
    }
}
