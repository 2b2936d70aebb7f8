using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Throttle.Infrastructure;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>How a runtime keeps breakers: one per name shared across methods, one per method otherwise, found and controlled by name.</summary>
public sealed class CircuitBreakerRegistryTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly ThrottleRuntime _runtime;

    public CircuitBreakerRegistryTests() => _runtime = Calls.Runtime(_clock);

    [Fact]
    public async Task SitesWithTheSameName_ShareOneBreaker()
    {
        var a = _runtime.ResolvePipeline(Calls.Breaker("Ns.A.Get()", name: "payments"));
        var b = _runtime.ResolvePipeline(Calls.Breaker("Ns.B.Post()", name: "payments"));

        await Calls.FailAsync(a, 2);
        await Calls.FailAsync(b, 1);
        Assert.Equal(CircuitState.Open, _runtime.GetCircuitBreaker("payments").State);

        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(a, null));
        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(b, null));
        Assert.Single(_runtime.CircuitBreakers);
    }

    [Fact]
    public async Task ASharedBreaker_ClassifiesEachFailureWithItsOwnMethodsPredicate()
    {
        var a = _runtime.ResolvePipeline(Calls.Breaker("Ns.A.Get()", threshold: 1, name: "shared", shouldHandle: static e => e is TimeoutException));
        var b = _runtime.ResolvePipeline(Calls.Breaker("Ns.B.Get()", threshold: 1, name: "shared", shouldHandle: static e => e is ArgumentException));

        await Calls.FailAsync(a, 1, new ArgumentException("a does not handle this"));
        Assert.Equal(CircuitState.Closed, _runtime.GetCircuitBreaker("shared").State);
        await Calls.FailAsync(b, 1, new ArgumentException("b does"));
        Assert.Equal(CircuitState.Open, _runtime.GetCircuitBreaker("shared").State);
    }

    [Fact]
    public async Task MethodsWithoutAName_HaveTheirOwnBreaker_NamedAfterTheSiteId()
    {
        var a = _runtime.ResolvePipeline(Calls.Breaker("Ns.A.Get()", threshold: 1));
        var b = _runtime.ResolvePipeline(Calls.Breaker("Ns.B.Get()", threshold: 1));

        await Calls.FailAsync(a, 1);
        Assert.Equal(CircuitState.Open, _runtime.GetCircuitBreaker("Ns.A.Get()").State);
        Assert.Equal(CircuitState.Closed, _runtime.GetCircuitBreaker("Ns.B.Get()").State);
        await Calls.SucceedAsync(b);
        Assert.Equal(new[] { "Ns.A.Get()", "Ns.B.Get()" }, _runtime.CircuitBreakers.Select(x => x.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SharingANameWithDifferentSettings_Throws()
    {
        _runtime.ResolvePipeline(Calls.Breaker("Ns.A.Get()", threshold: 3, name: "shared"));
        var error = Assert.Throws<InvalidOperationException>(() => _runtime.ResolvePipeline(Calls.Breaker("Ns.B.Get()", threshold: 4, name: "shared")));
        Assert.Contains("Ns.B.Get()", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => _runtime.ResolvePipeline(Calls.Breaker("Ns.C.Get()", threshold: 3, breakSeconds: 11, name: "shared")));
    }

    [Fact]
    public async Task Isolate_RejectsEveryCall_EvenAfterTheBreak_UntilClosed()
    {
        var pipeline = _runtime.ResolvePipeline(Calls.Breaker());
        var breaker = _runtime.GetCircuitBreaker("Ns.Type.Method()");
        await breaker.IsolateAsync();
        Assert.Equal(CircuitState.Isolated, breaker.State);

        var counter = new Counter();
        Assert.IsType<IsolatedCircuitException>(await Calls.RunAsync(pipeline, null, counter));
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(CircuitState.Isolated, breaker.State);
        Assert.IsType<IsolatedCircuitException>(await Calls.RunAsync(pipeline, null, counter));
        Assert.Equal(0, counter.Count);

        await breaker.CloseAsync();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Null(await Calls.RunAsync(pipeline, null, counter));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task Close_ResetsAnOpenCircuitAndItsCount()
    {
        var pipeline = _runtime.ResolvePipeline(Calls.Breaker());
        var breaker = _runtime.GetCircuitBreaker("Ns.Type.Method()");
        await Calls.FailAsync(pipeline, 3);
        Assert.Equal(CircuitState.Open, breaker.State);

        await breaker.CloseAsync();
        Assert.Equal(CircuitState.Closed, breaker.State);
        await Calls.FailAsync(pipeline, 2);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void Handle_ShowsItsSettings()
    {
        _runtime.ResolvePipeline(Calls.Breaker(threshold: 7, breakSeconds: 2.5));
        var breaker = _runtime.GetCircuitBreaker("Ns.Type.Method()");
        Assert.Equal(7, breaker.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(2.5), breaker.BreakDuration);
    }

    [Fact]
    public void UnknownName_IsReportedClearly()
    {
        Assert.False(_runtime.TryGetCircuitBreaker("nope", out var none));
        Assert.Null(none);
        var error = Assert.Throws<InvalidOperationException>(() => _runtime.GetCircuitBreaker("nope"));
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _runtime.GetCircuitBreaker(""));
        Assert.Throws<ArgumentNullException>(() => _runtime.TryGetCircuitBreaker(null!, out _));
    }

    [Fact]
    public async Task EachRuntime_HasItsOwnBreakers_AndTheSiteCachesItsPipelinePerRuntime()
    {
        var site = Calls.Breaker(threshold: 1);
        var other = Calls.Runtime(_clock);

        using (ThrottleRuntime.Use(_runtime))
        {
            Assert.Same(site.Pipeline, site.Pipeline);
            await Calls.FailAsync(site.Pipeline, 1);
        }

        using (ThrottleRuntime.Use(other))
        {
            await Calls.SucceedAsync(site.Pipeline);
            Assert.Equal(CircuitState.Closed, other.GetCircuitBreaker(site.Id).State);
        }

        Assert.Equal(CircuitState.Open, _runtime.GetCircuitBreaker(site.Id).State);
        Assert.Same(_runtime.ResolvePipeline(site), _runtime.ResolvePipeline(new ResilienceSite(site.Id, site.CircuitBreaker, null)));
    }
}
