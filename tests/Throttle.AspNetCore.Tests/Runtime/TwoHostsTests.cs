using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Polly.CircuitBreaker;
using Throttle.AspNetCore.TestApp;
using Throttle.Testing;
using Xunit;

namespace Throttle.AspNetCore.Tests.Runtime;

/// <summary>
/// Two hosts of the same app in one process, driven at the same time: each has its own runtime, so spending host A's
/// limits, opening its breaker or stopping its queues leaves host B untouched, through the policies and through the
/// generated methods (instance and static) alike.
/// </summary>
public sealed class TwoHostsTests
{
    [Fact]
    public async Task Hosts_in_parallel_never_share_limiter_queue_or_breaker_state()
    {
        var runtimeA = TestRuntimes.InMemory(new TestClock());
        var runtimeB = TestRuntimes.InMemory(new TestClock());
        await using var hostA = new TestAppFactory(runtimeA);
        await using var hostB = new TestAppFactory(runtimeB);
        using var clientA = hostA.CreateClient();
        using var clientB = hostB.CreateClient();

        // A spends everything while B serves a first request of each kind, concurrently.
        var spendA = SpendEverythingAsync(hostA, clientA);
        var firstB = ServeOnceAsync(clientB);
        await Task.WhenAll(spendA, firstB);

        // A is exhausted, open and stopped ...
        Assert.Equal(HttpStatusCode.TooManyRequests, (await clientA.GetAsUserAsync("/minimal", "alice")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await clientA.GetAsync(Path("/generated/report?user=alice"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await clientA.GetAsync(Path("/generated/static?user=alice"))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await clientA.GetAsync(Path("/generated/upstream?fail=false"))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await clientA.GetAsync(Path("/generated/work"))).StatusCode);

        // ... and B, which served one of each, still has the rest of its limits, a closed breaker and running queues.
        for (var i = 1; i < TestAppRuntime.ApiBurst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsUserAsync("/minimal", "alice")).StatusCode);
        }

        for (var i = 1; i < ReportClient.PerUser; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync(Path("/generated/report?user=alice"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync(Path("/generated/static?user=alice"))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync(Path("/generated/upstream?fail=false"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync(Path("/generated/work"))).StatusCode);
        Assert.Equal(CircuitState.Closed, runtimeB.GetCircuitBreaker("upstream").State);
        Assert.Equal(CircuitState.Open, runtimeA.GetCircuitBreaker("upstream").State);
        Assert.Equal(RuntimeIdentity.Of(runtimeA), await clientA.GetStringAsync(Path("/current")));
        Assert.Equal(RuntimeIdentity.Of(runtimeB), await clientB.GetStringAsync(Path("/current")));
    }

    private static async Task SpendEverythingAsync(TestAppFactory host, HttpClient client)
    {
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < TestAppRuntime.ApiBurst; i++)
        {
            answers.Add((await client.GetAsUserAsync("/minimal", "alice")).StatusCode);
        }

        for (var i = 0; i < ReportClient.PerUser; i++)
        {
            answers.Add((await client.GetAsync(Path("/generated/report?user=alice"))).StatusCode);
            answers.Add((await client.GetAsync(Path("/generated/static?user=alice"))).StatusCode);
        }

        answers.Add((await client.GetAsync(Path("/generated/work"))).StatusCode);
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));

        // Opening the breaker through HTTP: the handled failure itself is a 500 from the app's exception handler.
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync(Path("/generated/upstream?fail=true"))).StatusCode);
        await host.Runtime.StopQueuesAsync();
    }

    private static async Task ServeOnceAsync(HttpClient client)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsUserAsync("/minimal", "alice")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Path("/generated/report?user=alice"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Path("/generated/static?user=alice"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Path("/generated/work"))).StatusCode);
    }

    private static Uri Path(string path) => new(path, UriKind.Relative);
}
