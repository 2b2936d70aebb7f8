using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Testing;
using Xunit;

namespace Throttle.Tests.Infrastructure;

/// <summary>
/// <see cref="RateLimitSite"/>'s invocation methods, which generated code calls: a free permit runs the callback at
/// once on the calling thread; otherwise the callback runs after the wait, with the site's token.
/// </summary>
public sealed class RateLimitSiteInvokeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static (TestClock Clock, IDisposable Scope) FakeRuntime()
    {
        var clock = new TestClock();
        return (clock, ThrottleRuntime.Use(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = clock, MaxKeys = 100 })));
    }

    private static RateLimitSite Site(double maxWaitSeconds = double.PositiveInfinity) =>
        Sites.RateLimit("Ns.Type.Invoke()", 1, 1, 0, RateLimitStrategy.TokenBucket, null, null, maxWaitSeconds);

    [Fact]
    public async Task A_free_permit_calls_next_synchronously_then_the_next_call_waits_for_the_clock()
    {
        var (clock, scope) = FakeRuntime();
        using (scope)
        {
            var site = Site();
            var thread = Environment.CurrentManagedThreadId;
            var first = site.InvokeAsync(null, "k", thread, static (t, _) => new ValueTask<bool>(t == Environment.CurrentManagedThreadId), CancellationToken.None);
            Assert.True(first.IsCompletedSuccessfully);
            Assert.True(await first);

            var calls = 0;
            var second = site.InvokeAsync(null, "k", 0, (_, _) =>
            {
                calls++;
                return default(ValueTask);
            }, CancellationToken.None).AsTask();
            Assert.False(second.IsCompleted);
            Assert.Equal(0, calls);
            Assert.True(await clock.WaitForTimerAsync());
            clock.Advance(TimeSpan.FromSeconds(1));
            await second.WaitAsync(Patience);
            Assert.Equal(1, calls);
        }
    }

    [Fact]
    public async Task Next_receives_the_token_the_site_was_given()
    {
        var (_, scope) = FakeRuntime();
        using (scope)
        {
            using var cts = new CancellationTokenSource();
            var token = cts.Token;
            Assert.True(await Site().InvokeAsync(null, "k", token, static (expected, received) => new ValueTask<bool>(expected == received), token));
        }
    }

    [Fact]
    public void A_synchronous_throw_from_next_propagates_synchronously()
    {
        var (_, scope) = FakeRuntime();
        using (scope)
        {
            var error = Assert.Throws<InvalidOperationException>(
                () => Site().InvokeAsync<int, int>(null, "k", 0, static (_, _) => throw new InvalidOperationException("sync"), CancellationToken.None));
            Assert.Equal("sync", error.Message);
        }
    }

    [Fact]
    public void Rejection_and_bad_arguments_surface_before_next_runs()
    {
        var (_, scope) = FakeRuntime();
        using (scope)
        {
            var site = Site(maxWaitSeconds: 0);
            var calls = 0;
            Assert.Equal(1, site.Invoke(null, "k", 1, (x, _) => x + calls++, CancellationToken.None));
            Assert.Throws<RateLimitRejectedException>(() => site.Invoke(null, "k", 0, (_, _) => { calls++; }, CancellationToken.None));
            Assert.Equal(1, calls);
            Assert.Equal("key", Assert.Throws<ArgumentException>(() => site.Invoke(null, "", 0, (_, _) => { calls++; }, CancellationToken.None)).ParamName);
            Assert.Equal("next", Assert.Throws<ArgumentNullException>(() => site.InvokeAsync<int>(null, "k", 0, null!, CancellationToken.None)).ParamName);
            Assert.Equal(1, calls);
        }
    }
}
