using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Infrastructure;
using Throttle.Semaphores;
using Xunit;

namespace Throttle.Tests.Infrastructure;

/// <summary>
/// <see cref="DistributedSemaphoreSite"/>'s invocation methods, which generated code calls: the slot is held while the
/// callback runs and released however it ends.
/// </summary>
public sealed class DistributedSemaphoreSiteInvokeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static (DistributedSemaphoreSite Site, ThrottleSemaphore Semaphore, IDisposable Scope) NewSite()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new FakeTimeProvider() });
        var scope = ThrottleRuntime.Use(runtime);
        var site = Sites.Semaphore("M", "invoke", 1, 10, 30, 0.1);
        return (site, runtime.GetSemaphore("invoke", 1), scope);
    }

    /// <summary>True when the only slot is free now (taken and given back at once).</summary>
    private static async Task<bool> IsFreeAsync(ThrottleSemaphore semaphore)
    {
        try
        {
            await (await semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None)).DisposeAsync();
            return true;
        }
        catch (SemaphoreTimeoutException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Slot_is_held_while_next_runs_and_freed_after_a_synchronous_result()
    {
        var (site, semaphore, scope) = NewSite();
        using (scope)
        {
            var heldInside = false;
            var result = site.InvokeAsync(null, null, semaphore, (s, _) =>
            {
                heldInside = !IsFreeAsync(s).GetAwaiter().GetResult();
                return new ValueTask<int>(5);
            }, CancellationToken.None);

            Assert.True(result.IsCompletedSuccessfully);
            Assert.Equal(5, await result);
            Assert.True(heldInside);
            Assert.True(await IsFreeAsync(semaphore));
        }
    }

    [Fact]
    public async Task Slot_is_freed_when_next_throws_before_returning_its_task()
    {
        var (site, semaphore, scope) = NewSite();
        using (scope)
        {
            var call = site.InvokeAsync<int, int>(null, null, 0, static (_, _) => throw new InvalidOperationException("sync"), CancellationToken.None);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call.AsTask());
            Assert.Equal("sync", error.Message);
            Assert.True(await IsFreeAsync(semaphore));

            var voidCall = site.InvokeAsync<int>(null, null, 0, static (_, _) => throw new InvalidOperationException("sync void"), CancellationToken.None);
            await Assert.ThrowsAsync<InvalidOperationException>(() => voidCall.AsTask());
            Assert.True(await IsFreeAsync(semaphore));
        }
    }

    [Fact]
    public async Task Slot_is_freed_when_the_task_of_next_faults_later()
    {
        var (site, semaphore, scope) = NewSite();
        using (scope)
        {
            var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var call = site.InvokeAsync(null, null, gate, static (g, _) => new ValueTask<int>(g.Task), CancellationToken.None).AsTask();
            Assert.False(await IsFreeAsync(semaphore));
            gate.SetException(new InvalidOperationException("async"));
            await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(Patience));
            Assert.True(await IsFreeAsync(semaphore));
        }
    }

    [Fact]
    public async Task A_waiting_call_runs_next_once_the_slot_is_free()
    {
        var (site, semaphore, scope) = NewSite();
        using (scope)
        {
            var holder = await semaphore.AcquireAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
            var calls = 0;
            var waiting = site.InvokeAsync(null, null, 0, (_, _) =>
            {
                calls++;
                return default(ValueTask);
            }, CancellationToken.None).AsTask();
            Assert.False(waiting.IsCompleted);
            Assert.Equal(0, calls);

            await holder.DisposeAsync();
            await waiting.WaitAsync(Patience);
            Assert.Equal(1, calls);
            Assert.True(await IsFreeAsync(semaphore));
        }
    }

    [Fact]
    public async Task Synchronous_invoke_releases_also_when_next_throws()
    {
        var (site, semaphore, scope) = NewSite();
        using (scope)
        {
            Assert.Equal(3, site.Invoke(null, null, 3, static (x, _) => x, CancellationToken.None));
            Assert.Throws<InvalidOperationException>(() => site.Invoke<int>(null, null, 0, static (_, _) => throw new InvalidOperationException(), CancellationToken.None));
            Assert.True(await IsFreeAsync(semaphore));
        }
    }

    [Fact]
    public void A_null_callback_is_rejected_naming_it()
    {
        var (site, _, scope) = NewSite();
        using (scope)
        {
            Assert.Equal("next", Assert.Throws<ArgumentNullException>(() => site.InvokeAsync<int, int>(null, null, 0, null!, CancellationToken.None)).ParamName);
            Assert.Equal("next", Assert.Throws<ArgumentNullException>(() => site.Invoke<int>(null, null, 0, null!, CancellationToken.None)).ParamName);
        }
    }
}
