using Xunit;
using static Throttle.Generator.Tests.Diagnostics.DiagnosticTests;

namespace Throttle.Generator.Tests.Diagnostics;

/// <summary>
/// What the compiler can see of a <c>[Queued]</c> method's fit to a queue kind: the delay parameter's type, the dedupe
/// key's path, and one kind per method. (A registered queue's kind is only known at run time: see QueueKindRuntimeTests.)
/// </summary>
public sealed class QueueKindDiagnosticTests
{
    [Fact]
    public void THR205_DelayParameterNotATimeSpan() => AssertSingle("THR205", """
        public partial class Jobs
        {
            [Queued(Queue = "later", DelayParameter = [|nameof(delay)|])]
            public partial Task RunAsync(string name, double delay);

            private Task RunCoreAsync(string name, double delay) => Task.CompletedTask;
        }
        """, "nameof(delay)", "DelayParameter 'delay' does not name a TimeSpan parameter of 'RunAsync' ('delay' is double)");

    [Fact]
    public void THR205_DelayParameterMissing() => AssertSingle("THR205", """
        public partial class Jobs
        {
            [Queued(DelayParameter = [|"after"|])]
            public partial Task RunAsync(string name, TimeSpan delay);

            private Task RunCoreAsync(string name, TimeSpan delay) => Task.CompletedTask;
        }
        """, "\"after\"", "(it has name, delay)");

    [Fact]
    public void THR206_DedupeKeyDoesNotResolve() => AssertSingle("THR206", """
        public sealed record Request(string Id);

        public partial class Jobs
        {
            [Queued(Queue = "once", DedupeKey = [|"request.Name"|])]
            public partial Task<int> FetchAsync(Request request);

            private Task<int> FetchCoreAsync(Request request) => Task.FromResult(1);
        }
        """, "\"request.Name\"", "DedupeKey 'request.Name' does not resolve: 'Name' is not a readable field or property of 'Request'");

    [Fact]
    public void THR207_DelayAndDedupeKey() => AssertSingle("THR207", """
        public partial class Jobs
        {
            [Queued(DelayParameter = nameof(delay), DedupeKey = [|nameof(name)|])]
            public partial Task RunAsync(string name, TimeSpan delay);

            private Task RunCoreAsync(string name, TimeSpan delay) => Task.CompletedTask;
        }
        """, "nameof(name)", "gives each call a delay (DelayParameter) and a dedupe key (DedupeKey)");

    [Fact]
    public void THR207_PriorityAndDelay() => AssertSingle("THR207", """
        public partial class Jobs
        {
            [Queued(PriorityParameter = nameof(priority), DelayParameter = [|nameof(delay)|])]
            public partial Task RunAsync(int priority, TimeSpan delay);

            private Task RunCoreAsync(int priority, TimeSpan delay) => Task.CompletedTask;
        }
        """, "nameof(delay)", "a priority (PriorityParameter) and a delay (DelayParameter)");

    [Fact]
    public void THR107_BlankDedupeKey() => AssertSingle("THR107", """
        public partial class Jobs
        {
            [Queued(DedupeKey = [|""|])]
            public partial Task RunAsync(string name);

            private Task RunCoreAsync(string name) => Task.CompletedTask;
        }
        """, "\"\"", "DedupeKey must not be empty");
}
