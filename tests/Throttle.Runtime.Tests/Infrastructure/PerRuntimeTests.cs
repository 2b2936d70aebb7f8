using System;
using Throttle.Infrastructure;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Infrastructure;

/// <summary>What a site resolves per runtime: by reference, once per runtime, without allocating once resolved.</summary>
public sealed class PerRuntimeTests
{
    private static ThrottleRuntime NewRuntime() => new(new ThrottleRuntimeOptions { TimeProvider = new TestClock(), MaxKeys = 10 });

    private sealed class Holder
    {
        public PerRuntime<object> Resolved;
        public int Resolutions;

        public object Get(ThrottleRuntime? runtime) => Resolved.Get(runtime, this, static (runtime, holder) =>
        {
            holder.Resolutions++;
            return new Tuple<ThrottleRuntime>(runtime);
        });
    }

    [Fact]
    public void Two_runtimes_in_turn_are_resolved_once_each_and_then_cost_no_allocation()
    {
        var holder = new Holder();
        var a = NewRuntime();
        var b = NewRuntime();
        var valueA = holder.Get(a);
        var valueB = holder.Get(b);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Assert.Same(valueA, holder.Get(a));
            Assert.Same(valueB, holder.Get(b));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2, holder.Resolutions);
    }

    [Fact]
    public void More_runtimes_than_remembered_are_resolved_again_and_still_right()
    {
        var holder = new Holder();
        var runtimes = new ThrottleRuntime[PerRuntime<object>.Capacity + 2];
        for (var i = 0; i < runtimes.Length; i++)
        {
            runtimes[i] = NewRuntime();
        }

        foreach (var runtime in runtimes)
        {
            Assert.Same(runtime, ((Tuple<ThrottleRuntime>)holder.Get(runtime)).Item1);
        }

        // The newest Capacity are remembered; the oldest was dropped and is resolved again, correctly.
        Assert.Same(runtimes[^1], ((Tuple<ThrottleRuntime>)holder.Get(runtimes[^1])).Item1);
        Assert.Equal(runtimes.Length, holder.Resolutions);
        Assert.Same(runtimes[0], ((Tuple<ThrottleRuntime>)holder.Get(runtimes[0])).Item1);
        Assert.Equal(runtimes.Length + 1, holder.Resolutions);
    }

    [Fact]
    public void Null_means_the_current_runtime()
    {
        var holder = new Holder();
        var scoped = NewRuntime();
        using (ThrottleRuntime.Use(scoped))
        {
            Assert.Same(scoped, ((Tuple<ThrottleRuntime>)holder.Get(null)).Item1);
            Assert.Same(holder.Get(scoped), holder.Get(null));
        }
    }
}
