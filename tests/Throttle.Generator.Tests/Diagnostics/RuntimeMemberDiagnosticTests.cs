using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Throttle.Generator.Tests.Diagnostics;

/// <summary>
/// THR010 and THR011: which <c>ThrottleRuntime</c> member a method's type gives its generated code, and the two ways
/// that can go wrong (two candidates; a primary-constructor parameter the generated declaration cannot see).
/// </summary>
public sealed class RuntimeMemberDiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        """;

    [Fact]
    public void THR010_TwoInstanceMembers() => DiagnosticTests.AssertSingle("THR010", """
        public partial class Client
        {
            private readonly ThrottleRuntime _primary = new();

            public ThrottleRuntime? Fallback { get; set; }

            [RateLimit(5)]
            public partial Task [|FetchAsync|]();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "FetchAsync", "Method 'FetchAsync' could run on any of the ThrottleRuntime members '_primary', 'Fallback' of 'Client'; keep one field or property of type ThrottleRuntime");

    [Fact]
    public void THR010_OneOwnAndOneInherited() => DiagnosticTests.AssertSingle("THR010", """
        public class Base
        {
            protected ThrottleRuntime Runtime { get; } = new();
        }

        public partial class Client : Base
        {
            private readonly ThrottleRuntime _runtime = new();

            [Retry]
            public partial int [|Count|]();

            private int CountCore() => 1;
        }
        """, "Count", "'_runtime', 'Runtime'");

    [Fact]
    public void THR010_TwoStaticMembersOfAStaticMethod() => DiagnosticTests.AssertSingle("THR010", """
        public static partial class Jobs
        {
            private static readonly ThrottleRuntime s_one = new();
            private static readonly ThrottleRuntime s_two = new();

            [Queued]
            public static partial Task [|RunAsync|]();

            private static Task RunCoreAsync() => Task.CompletedTask;
        }
        """, "RunAsync", "'s_one', 's_two' of 'Jobs'");

    [Fact]
    public void NoDiagnostic_WhenTheInstanceLevelHasOneMember()
    {
        // An instance member wins over static ones; a private member of a base type and a member hidden with 'new' are
        // no candidates; an indexer is not a member to read.
        var run = GeneratorHarness.Run(Usings + """
            public class Base
            {
                private ThrottleRuntime Private { get; } = new();
                public ThrottleRuntime Hidden { get; } = new();
            }

            public partial class Client : Base
            {
                private static readonly ThrottleRuntime s_shared = new();
                public new ThrottleRuntime Hidden { get; } = new();
                public ThrottleRuntime this[int index] => s_shared;

                [RateLimit(5)]
                public partial Task FetchAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
            }
            """);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe(run.GeneratorDiagnostics));
        Assert.Empty(run.OutputDiagnostics);
        Assert.Contains("SiteRuntime.Required(__throttleState.Item1.Hidden, \"Client.Hidden\")", Assert.Single(run.Sources).Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void THR010_TwoPrimaryConstructorParameters() => DiagnosticTests.AssertSingle("THR010", """
        public sealed partial class Client(ThrottleRuntime one, ThrottleRuntime two)
        {
            [RateLimit(5)]
            public partial Task [|FetchAsync|]();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "FetchAsync", "'one', 'two' of 'Client'");

    [Fact]
    public void THR011_PrimaryConstructorParameterPassedToTheBase() => DiagnosticTests.AssertSingle("THR011", """
        public class Base(ThrottleRuntime runtime)
        {
            public override string ToString() => runtime.ToString()!;
        }

        public sealed partial class Client(ThrottleRuntime [|runtime|]) : Base(runtime)
        {
            [RateLimit(5)]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "runtime", "Primary-constructor parameter 'runtime' of 'Client' is passed to the base constructor (reading it as well would keep a second copy, CS9107), so the generated code of 'FetchAsync' cannot read it and runs on ThrottleRuntime.Current; keep it in a field", generatesBody: true);

    [Fact]
    public void THR011_PrimaryConstructorParameterHiddenByAMember() => DiagnosticTests.AssertSingle("THR011", """
        public sealed partial class Client(ThrottleRuntime [|runtime|])
        {
            private readonly string runtime = runtime.ToString()!;

            public override string ToString() => runtime;

            [RateLimit(5)]
            public partial Task FetchAsync();

            private Task FetchCoreAsync() => Task.CompletedTask;
        }
        """, "runtime", "is hidden by the member 'runtime'", generatesBody: true);

    [Fact]
    public void AFieldKeepingThePrimaryConstructorParameterIsUsedWithoutCapturingItAgain()
    {
        // The member comes first, so the parameter is not captured a second time (which CS9124 would flag).
        var run = GeneratorHarness.Run(Usings + """
            public sealed partial class Client(ThrottleRuntime runtime)
            {
                private readonly ThrottleRuntime _runtime = runtime;

                [RateLimit(5)]
                public partial Task FetchAsync();

                private Task FetchCoreAsync() => Task.CompletedTask;
            }
            """);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe(run.GeneratorDiagnostics));
        Assert.Empty(run.OutputDiagnostics);
        var text = Assert.Single(run.Sources).Text;
        Assert.Contains("__throttleState.Item1._runtime", text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("__throttleRuntime_", text, System.StringComparison.Ordinal);
    }
}
