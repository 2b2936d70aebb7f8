using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading.Tasks;
using Throttle.Testing;
using Xunit;

namespace Throttle.Generator.Tests;

/// <summary>
/// A generated <c>[RateLimit(Strategy = RateLimitStrategy.LeakyBucket)]</c> method, compiled and run under a runtime on
/// a fake clock: a burst of <c>Burst</c> calls starts one <c>Per / rate</c> apart instead of at once (README.md, "Limiters").
/// </summary>
public sealed class LeakyBucketRuntimeTests
{
    private const string Source = """
        using System;
        using System.Threading.Tasks;
        using Throttle;

        namespace Live;

        public sealed partial class Shaped
        {
            private readonly Func<DateTimeOffset> _now;

            public Shaped(Func<DateTimeOffset> now) => _now = now;

            // Leaks 4 per second (a start every 250 ms) and holds 3.
            [RateLimit(4, Per = 1, Burst = 3, Strategy = RateLimitStrategy.LeakyBucket)]
            public partial Task<DateTimeOffset> StartAsync();
            private Task<DateTimeOffset> StartCoreAsync() => Task.FromResult(_now());
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(Load);

    [Fact]
    public async Task A_burst_of_Burst_calls_starts_evenly_spaced_instead_of_at_once()
    {
        var clock = new TestClock();
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock });
        using var scope = ThrottleRuntime.Use(runtime);
        var api = Activator.CreateInstance(s_assembly.Value.GetType("Live.Shaped")!, (Func<DateTimeOffset>)clock.GetUtcNow)!;
        var start = clock.GetUtcNow();

        var calls = Enumerable.Range(0, 3).Select(_ => Start(api)).ToArray();
        // The first runs at once; the other two wait on timers, not by polling.
        Assert.True(calls[0].IsCompletedSuccessfully);
        Assert.All(calls.Skip(1), c => Assert.False(c.IsCompleted));
        Assert.Equal(2, clock.TimersCreated);

        for (var i = 1; i < calls.Length; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(250) - TimeSpan.FromTicks(1));
            Assert.False(calls[i].IsCompleted);
            clock.Advance(TimeSpan.FromTicks(1));
            // A safety net against a hang, never a timing assertion.
            await calls[i].WaitAsync(TimeSpan.FromSeconds(30));
        }

        var starts = await Task.WhenAll(calls);
        Assert.Equal(
            new[] { 0.0, 250, 500 },
            starts.Select(s => (s - start).TotalMilliseconds).ToArray());
    }

    [Fact]
    public async Task With_a_zero_max_wait_a_call_that_cannot_start_now_is_rejected_with_the_queue_delay()
    {
        const string Rejecting = """
            using System.Threading.Tasks;
            using Throttle;

            namespace Live;

            public sealed partial class Strict
            {
                [RateLimit(4, Per = 1, Burst = 3, Strategy = RateLimitStrategy.LeakyBucket, MaxWaitSeconds = 0)]
                public partial Task<int> GoAsync();
                private Task<int> GoCoreAsync() => Task.FromResult(1);
            }
            """;
        var assembly = Compile(Rejecting, "Strict");
        var clock = new TestClock();
        using var scope = ThrottleRuntime.Use(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock }));
        var api = Activator.CreateInstance(assembly.GetType("Live.Strict")!)!;

        Assert.Equal(1, await Go(api));
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => Go(api));
        Assert.Equal(TimeSpan.FromMilliseconds(250), rejected.RetryAfter);
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(1, await Go(api));

        static Task<int> Go(object api) => (Task<int>)api.GetType().GetMethod("GoAsync")!.Invoke(api, null)!;
    }

    private static Task<DateTimeOffset> Start(object api) =>
        (Task<DateTimeOffset>)api.GetType().GetMethod("StartAsync")!.Invoke(api, null)!;

    private static Assembly Load() => Compile(Source, "Shaped");

    private static Assembly Compile(string source, string name)
    {
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, run.Describe(emitted.Diagnostics));
        stream.Position = 0;
        return new AssemblyLoadContext("Throttle.Generator.Tests.Leaky." + name, isCollectible: true).LoadFromStream(stream);
    }
}
