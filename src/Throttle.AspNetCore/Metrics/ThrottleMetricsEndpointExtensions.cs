using System;
using System.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Throttle;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the host's Throttle metrics in the Prometheus text format.</summary>
public static class ThrottleMetricsEndpointExtensions
{
    // The Prometheus text exposition format's content type, version 0.0.4.
    private const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// Maps <c>GET <paramref name="pattern"/></c> to the Prometheus exposition of the host's runtime
    /// (<see cref="Throttle.Telemetry.ThrottleMetrics.WritePrometheusAsync(System.IO.Stream, System.Threading.CancellationToken)"/>): Throttle's instruments and the figures recorded
    /// with <c>Increment</c>, <c>Gauge</c> and <c>Timing</c> (docs/metrics.md).
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="pattern">The route; default <c>/metrics</c>.</param>
    /// <returns>The endpoint's builder, to add metadata such as authorization.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="ThrottleRuntime"/> is registered (call <c>AddThrottle</c>).</exception>
    public static IEndpointConventionBuilder MapThrottleMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        // The exposition counts from its first collection: started now, the first scrape already has every request.
        var runtime = endpoints.ServiceProvider.GetService<ThrottleRuntime>() ?? throw new InvalidOperationException(
            "MapThrottleMetrics needs the host's ThrottleRuntime: call builder.Services.AddThrottle(...) (Throttle.Hosting) or register a ThrottleRuntime singleton.");
        runtime.Metrics.WritePrometheusAsync(Stream.Null).GetAwaiter().GetResult();
        return endpoints.MapGet(pattern, async (HttpContext context) =>
        {
            context.Response.ContentType = PrometheusContentType;
            await runtime.Metrics.WritePrometheusAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }
}
