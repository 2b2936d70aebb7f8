using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.AspNetCore.Tests.RateLimiting;

/// <summary>
/// The listener the Redis load test reports with sees what a blocking adapter does: pool threads blocked on tasks make
/// the pool inject threads for starvation (on .NET 10 a blocked <c>Task.Wait</c> shows as <c>Starvation</c>, not
/// <c>CooperativeBlocking</c>).
/// </summary>
[Collection(MeasuredCollection.Name)]
public sealed class ThreadInjectionListenerTests
{
    [Fact]
    public async Task Pool_threads_blocked_on_tasks_show_as_blocking_injections()
    {
        using var injections = new ThreadInjectionListener();
        injections.Start();

        // Sync over async on pool threads, as an adapter that waits for Redis with GetResult() would.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = Enumerable.Range(0, 3 * System.Environment.ProcessorCount)
            .Select(_ => Task.Run(() => gate.Task.Wait()))
            .ToArray();
        await Task.Run(() => SpinWait.SpinUntil(() => injections.Blocking > 0, 30_000));
        gate.SetResult();
        await Task.WhenAll(blocked);
        injections.Stop();

        Assert.True(injections.Blocking > 0, injections.ToString());
    }
}
