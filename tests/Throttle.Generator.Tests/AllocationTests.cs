using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using Throttle.Testing;
using Xunit;

namespace Throttle.Generator.Tests;

/// <summary>
/// The generated fast path allocates nothing: with a permit always free, many calls of a <c>[RateLimit]</c> wrapper of
/// each return kind (and a keyed one) add 0 bytes to the thread's allocation count, in the least of three rounds after
/// a warm-up round. The loops are compiled with the generated code, so no reflection or boxing of the test harness is counted.
/// </summary>
public sealed class AllocationTests
{
    private const int Calls = 10_000;

    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Live;

        public sealed partial class Hot
        {
            private const double Huge = 1e12;
            private static readonly Task<int> s_done = Task.FromResult(1);

            [RateLimit(Huge)] public partial void Void();
            private void VoidCore() { }

            [RateLimit(Huge)] public partial int Value();
            private int ValueCore() => 1;

            [RateLimit(Huge)] public partial Task TaskAsync();
            private Task TaskCoreAsync() => Task.CompletedTask;

            [RateLimit(Huge)] public partial Task<int> TaskOfTAsync(CancellationToken cancellationToken);
            private Task<int> TaskOfTCoreAsync(CancellationToken cancellationToken) => s_done;

            [RateLimit(Huge)] public partial ValueTask ValueTaskAsync();
            private ValueTask ValueTaskCoreAsync() => default;

            [RateLimit(Huge)] public partial ValueTask<int> ValueTaskOfTAsync();
            private ValueTask<int> ValueTaskOfTCoreAsync() => new(1);

            [RateLimit(Huge, Key = nameof(user))] public partial ValueTask<int> KeyedAsync(string user, int n);
            private ValueTask<int> KeyedCoreAsync(string user, int n) => new(n);
        }

        public static class Measure
        {
            public static long Bytes(string kind, int calls)
            {
                var hot = new Hot();
                // Binds the site to the runtime, creates the bucket, and JITs the path, the loop's on-stack replacement
                // included: a one-off allocation of the JIT's on this thread is not the generated code's.
                Run(hot, kind, calls);

                // The least of three rounds: an allocation of the generated path shows in every one of them.
                var least = long.MaxValue;
                for (var round = 0; round < 3; round++)
                {
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    Run(hot, kind, calls);
                    least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
                }

                return least;
            }

            private static void Run(Hot hot, string kind, int calls)
            {
                for (var i = 0; i < calls; i++)
                {
                    switch (kind)
                    {
                        case "Void": hot.Void(); break;
                        case "Value": hot.Value(); break;
                        case "Task": Check(hot.TaskAsync().IsCompletedSuccessfully); break;
                        case "TaskOfT": Check(hot.TaskOfTAsync(CancellationToken.None).IsCompletedSuccessfully); break;
                        case "ValueTask": Check(hot.ValueTaskAsync().IsCompletedSuccessfully); break;
                        case "ValueTaskOfT": Check(hot.ValueTaskOfTAsync().IsCompletedSuccessfully); break;
                        case "Keyed": Check(hot.KeyedAsync("user-42", i).IsCompletedSuccessfully); break;
                        default: throw new ArgumentException(kind, nameof(kind));
                    }
                }
            }

            private static void Check(bool completed)
            {
                if (!completed)
                {
                    throw new InvalidOperationException("The call did not complete synchronously: not the fast path.");
                }
            }
        }
        """;

    private static readonly Lazy<MethodInfo> s_measure = new(Load);

    [Theory]
    [InlineData("Void")]
    [InlineData("Value")]
    [InlineData("Task")]
    [InlineData("TaskOfT")]
    [InlineData("ValueTask")]
    [InlineData("ValueTaskOfT")]
    [InlineData("Keyed")]
    public void FastPathAllocatesNothing(string kind)
    {
        using var scope = ThrottleRuntime.Use(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new TestClock() }));
        var bytes = (long)s_measure.Value.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, new object[] { kind, Calls }, culture: null)!;
        Assert.Equal(0, bytes);
    }

    private static MethodInfo Load()
    {
        var run = GeneratorHarness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, run.Describe(emitted.Diagnostics));
        stream.Position = 0;
        var assembly = new AssemblyLoadContext("Throttle.Generator.Tests.Allocation", isCollectible: true).LoadFromStream(stream);
        return assembly.GetType("Live.Measure")!.GetMethod("Bytes")!;
    }
}
