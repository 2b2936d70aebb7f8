using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Throttle.Generator.Tests.Diagnostics;

/// <summary>
/// THR110, THR305 and THR403: methods that share state by name (a rate-limit scope, a breaker name, a semaphore key)
/// must agree on the settings that live with that state. Each disagreeing method gets an error at its attribute that
/// names the other method and the differing settings; agreeing methods share without a word.
/// </summary>
public sealed class SharedNameDiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Threading.Tasks;
        using Throttle;

        """;

    [Fact]
    public void THR110_ScopeSharedWithAnotherRate()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [[|RateLimit(5, Scope = "github")|]]
                public partial Task FetchAsync();

                [[|RateLimit(10, Scope = "github", Burst = 5)|]]
                public partial Task PushAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
                private Task PushCoreAsync() => Task.CompletedTask;
            }
            """);

        var diagnostics = AssertAtSpans("THR110", markup);

        Assert.Equal(
            "Scope 'github' is also used by 'Client.PushAsync' with different settings: Rate (5 here, 10 there); methods of one scope share its limits, so give them the same settings or different scopes",
            Message(diagnostics[0]));
        Assert.Equal("Scope 'github' is also used by 'Client.FetchAsync' with different settings: Rate (10 here, 5 there)", Message(diagnostics[1]).Split(';')[0]);
        Assert.Equal(DiagnosticSeverity.Error, diagnostics[0].Severity);
    }

    [Fact]
    public void THR110_StrategyAndBurstAcrossFiles()
    {
        var first = Markup.Parse(Usings + """
            namespace Sample;

            public partial class Reader
            {
                [[|RateLimit(5, Per = 60, Scope = "api", Burst = 20)|]]
                public partial int Read();

                private int ReadCore() => 1;
            }
            """);
        var second = Markup.Parse(Usings + """
            namespace Sample;

            public partial class Writer
            {
                [[|RateLimit(5, Per = 60, Scope = "api", Strategy = RateLimitStrategy.LeakyBucket)|]]
                public partial int Write();

                private int WriteCore() => 1;
            }
            """);

        var run = GeneratorHarness.Run(first.Source, second.Source);

        Assert.Equal(["THR110", "THR110"], run.GeneratorDiagnostics.Select(d => d.Id));
        var onReader = run.GeneratorDiagnostics.Single(d => d.Location.SourceTree!.FilePath == "Source0.cs");
        var onWriter = run.GeneratorDiagnostics.Single(d => d.Location.SourceTree!.FilePath == "Source1.cs");
        Assert.Equal(first.Span, onReader.Location.SourceSpan);
        Assert.Equal(second.Span, onWriter.Location.SourceSpan);
        Assert.Contains("used by 'Sample.Writer.Write' with different settings: Strategy (TokenBucket here, LeakyBucket there), Burst (20 here, 5 there)", Message(onReader), System.StringComparison.Ordinal);
        Assert.Contains("used by 'Sample.Reader.Read'", Message(onWriter), System.StringComparison.Ordinal);
    }

    [Fact]
    public void THR305_BreakerSharedWithAnotherThresholdAndHandles()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [[|CircuitBreaker(Name = "db", FailureThreshold = 3)|]]
                public partial Task ReadAsync();

                [[|CircuitBreaker(Name = "db", FailureThreshold = 5, Handles = new[] { typeof(TimeoutException) })|]]
                public partial Task WriteAsync();

                private Task ReadCoreAsync() => Task.CompletedTask;
                private Task WriteCoreAsync() => Task.CompletedTask;
            }
            """);

        var diagnostics = AssertAtSpans("THR305", markup);

        Assert.Contains(
            "Circuit breaker 'db' is also used by 'Client.WriteAsync' with different settings: FailureThreshold (3 here, 5 there), Handles (every exception here, global::System.TimeoutException there)",
            Message(diagnostics[0]),
            System.StringComparison.Ordinal);
        Assert.Contains("used by 'Client.ReadAsync'", Message(diagnostics[1]), System.StringComparison.Ordinal);
    }

    [Fact]
    public void THR305_BreakerSharedAcrossProcessesByOneMethodOnly()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [[|CircuitBreaker(Name = "db", Shared = true)|]]
                public partial Task ReadAsync();

                [[|CircuitBreaker(Name = "db")|]]
                public partial Task WriteAsync();

                private Task ReadCoreAsync() => Task.CompletedTask;
                private Task WriteCoreAsync() => Task.CompletedTask;
            }
            """);

        var diagnostics = AssertAtSpans("THR305", markup);

        Assert.Contains(
            "Circuit breaker 'db' is also used by 'Client.WriteAsync' with different settings: Shared (true here, false there)",
            Message(diagnostics[0]),
            System.StringComparison.Ordinal);
    }

    [Fact]
    public void THR403_SemaphoreKeySharedWithAnotherLease()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [[|DistributedSemaphore("reports", 2, AcquireTimeoutSeconds = 5)|]]
                public partial Task ExportAsync(string tenant);

                [[|DistributedSemaphore("reports", 2, AcquireTimeoutSeconds = 1, LeaseSeconds = 120, PartitionKey = "tenant")|]]
                public partial Task PrintAsync(string tenant);

                private Task ExportCoreAsync(string tenant) => Task.CompletedTask;
                private Task PrintCoreAsync(string tenant) => Task.CompletedTask;
            }
            """);

        var diagnostics = AssertAtSpans("THR403", markup);

        Assert.Contains("Semaphore 'reports' is also used by 'Client.PrintAsync' with different settings: LeaseSeconds (30 here, 120 there)", Message(diagnostics[0]), System.StringComparison.Ordinal);
        Assert.Contains("used by 'Client.ExportAsync'", Message(diagnostics[1]), System.StringComparison.Ordinal);
    }

    [Fact]
    public void THR403_SemaphoreKeySharedWithAnotherPollingDelay()
    {
        // The polling delay is fixed when the semaphore is created, like its lease: a second method would get the first one's.
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [[|DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 5)|]]
                public partial Task LockAsync();

                [[|DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 60, AcquireSleepDelaySeconds = 1)|]]
                public partial Task LockLongerAsync();

                private Task LockCoreAsync() => Task.CompletedTask;
                private Task LockLongerCoreAsync() => Task.CompletedTask;
            }
            """);

        var diagnostics = AssertAtSpans("THR403", markup);

        Assert.Contains("AcquireSleepDelaySeconds (0.1 here, 1 there)", Message(diagnostics[0]), System.StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheMethodsThatDisagreeAreReported()
    {
        var markup = Markup.Parse(Usings + """
            public partial class Client
            {
                [DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 5)]
                public partial Task ReadAsync();

                [DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 10)]
                public partial Task WriteAsync();

                [[|DistributedSemaphore("db", 1, AcquireTimeoutSeconds = 5)|]]
                public partial Task MigrateAsync();

                private Task ReadCoreAsync() => Task.CompletedTask;
                private Task WriteCoreAsync() => Task.CompletedTask;
                private Task MigrateCoreAsync() => Task.CompletedTask;
            }
            """);

        var run = GeneratorHarness.Run(markup.Source);

        // Read and Write agree with each other but not with Migrate: each of the three is told.
        Assert.Equal(3, run.GeneratorDiagnostics.Count(d => d.Id == "THR403"));
        var onMigrate = run.GeneratorDiagnostics.Single(d => d.Location.SourceSpan == markup.Span);
        Assert.Contains("used by 'Client.ReadAsync' with different settings: Value (1 here, 3 there)", Message(onMigrate), System.StringComparison.Ordinal);
    }

    [Fact]
    public void SameSettingsShareWithoutADiagnostic()
    {
        var run = GeneratorHarness.Run(Usings + """
            public partial class Client
            {
                [RateLimit(5, Scope = "github")]
                public partial Task FetchAsync();

                [RateLimit(5, Per = 1, Burst = 5, Scope = "github", MaxWaitSeconds = 0)]
                public partial Task PushAsync();

                [CircuitBreaker(Name = "db", FailureThreshold = 3, Handles = new[] { typeof(TimeoutException), typeof(InvalidOperationException) })]
                public partial Task ReadAsync();

                [CircuitBreaker(Name = "db", FailureThreshold = 3, Handles = new[] { typeof(InvalidOperationException), typeof(TimeoutException) })]
                public partial Task WriteAsync();

                [DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 5)]
                public partial Task LockAsync();

                [DistributedSemaphore("db", 3, AcquireTimeoutSeconds = 60)]
                public partial Task LockLongerAsync();

                // Different names never conflict.
                [RateLimit(50, Scope = "other")]
                public partial Task OtherAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
                private Task PushCoreAsync() => Task.CompletedTask;
                private Task ReadCoreAsync() => Task.CompletedTask;
                private Task WriteCoreAsync() => Task.CompletedTask;
                private Task LockCoreAsync() => Task.CompletedTask;
                private Task LockLongerCoreAsync() => Task.CompletedTask;
                private Task OtherCoreAsync() => Task.CompletedTask;
            }
            """);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe(run.GeneratorDiagnostics));
        Assert.Equal(7, run.Sources.Count(s => s.HintName != Throttle.Generator.Emitting.ManifestWriter.HintName));
    }

    [Fact]
    public void AConflictDoesNotStopTheWrappersFromBeingWritten()
    {
        // The check runs beside the source output, never in front of it: fixing the settings re-emits nothing else.
        var run = GeneratorHarness.Run(Usings + """
            public partial class Client
            {
                [RateLimit(5, Scope = "s")]
                public partial Task FetchAsync();

                [RateLimit(6, Scope = "s")]
                public partial Task PushAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
                private Task PushCoreAsync() => Task.CompletedTask;
            }
            """);

        Assert.Equal(2, run.GeneratorDiagnostics.Count(d => d.Id == "THR110"));
        Assert.Equal(2, run.Sources.Count);
    }

    private static Diagnostic[] AssertAtSpans(string id, Markup markup)
    {
        var run = GeneratorHarness.Run(markup.Source);
        Assert.True(run.GeneratorDiagnostics.All(d => d.Id == id), run.Describe(run.GeneratorDiagnostics));
        var diagnostics = run.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();
        Assert.Equal(markup.Spans, diagnostics.Select(d => d.Location.SourceSpan));
        return diagnostics;
    }

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
}
