using System;
using Microsoft.Extensions.Time.Testing;
using Throttle.Policies;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>Shared is a setting of the breaker like its threshold: users of one name in one runtime must agree on it.</summary>
public sealed class SharedCircuitBreakerSettingsTests
{
    [Fact]
    public void A_method_asking_for_a_shared_breaker_where_another_uses_a_local_one_fails_naming_both()
    {
        var runtime = Calls.Runtime(new FakeTimeProvider());
        runtime.ResolvePipeline(Calls.Breaker("Local.Method()", name: "payments"));
        var shared = new Throttle.Infrastructure.ResilienceSite(
            "Shared.Method()", new CircuitBreakerOptions { FailureThreshold = 3, BreakSeconds = 10, Name = "payments", Shared = true }, null);

        var error = Assert.Throws<InvalidOperationException>(() => runtime.ResolvePipeline(shared));
        Assert.Contains("Local.Method() uses it with Shared = false", error.Message, StringComparison.Ordinal);
        Assert.Contains("Shared.Method() asks for Shared = true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_registered_shared_breaker_on_memory_storage_works_as_this_process_breaker()
    {
        var runtime = Calls.Runtime(new FakeTimeProvider());
        var breaker = runtime.RegisterCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakSeconds = 10, Shared = true });
        Assert.False(breaker.IsShared);
        var pipeline = runtime.ResolvePipeline(new Throttle.Infrastructure.ResilienceSite(
            "M()", new CircuitBreakerOptions { FailureThreshold = 1, BreakSeconds = 10, Name = "payments", Shared = true }, null));
        Assert.NotNull(await Calls.RunAsync(pipeline, new InvalidOperationException()));
        Assert.Equal(Polly.CircuitBreaker.CircuitState.Open, breaker.State);
    }
}
