using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Throttle.AspNetCore.TestApp;
using Throttle.Testing;
using Xunit;

namespace Throttle.AspNetCore.Tests.Metrics;

public sealed class MapThrottleMetricsTests
{
    [Fact]
    public async Task Metrics_serves_the_hosts_rate_limit_decisions_in_the_Prometheus_text_format()
    {
        var runtime = TestRuntimes.InMemory(new TestClock());
        await using var factory = new TestAppFactory(runtime);
        using var client = factory.CreateClient();

        for (var i = 0; i < StaticReports.PerUser + 1; i++)
        {
            await client.GetAsync(new Uri("/generated/static?user=metrics", UriKind.Relative));
        }

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        // Started when mapped, so the requests before the first scrape count; the partition key ("metrics") is no label.
        Assert.Equal($"{StaticReports.PerUser}", Value(lines, "throttle_rate_limit_requests_total{", "result=\"acquired\""));
        Assert.Equal("1", Value(lines, "throttle_rate_limit_requests_total{", "result=\"rejected\""));
        Assert.DoesNotContain(lines, line => line.Contains("\"metrics\"", StringComparison.Ordinal));
    }

    private static string Value(string[] lines, string prefix, string label) =>
        lines.Single(line => line.StartsWith(prefix, StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
            .Split(' ')[^1].Trim();
}
