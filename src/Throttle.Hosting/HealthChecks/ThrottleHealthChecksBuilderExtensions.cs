using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Throttle;
using Throttle.Hosting.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Throttle health check.</summary>
public static class ThrottleHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the container's <see cref="ThrottleRuntime"/> (register it with <c>AddThrottle</c>): its Redis
    /// answering within the operation timeout (else <paramref name="failureStatus"/>, naming the endpoint), its circuit
    /// breakers closed and its queues' backlogs under the threshold (else Degraded, naming them).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <c>throttle</c>.</param>
    /// <param name="failureStatus">The status when storage is unreachable; null for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>); null for none.</param>
    /// <param name="configure">Sets the backlog threshold and whether breakers count; null for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public static IHealthChecksBuilder AddThrottle(
        this IHealthChecksBuilder builder,
        string name = "throttle",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        Action<ThrottleHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new ThrottleHealthCheckOptions();
        configure?.Invoke(options);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new ThrottleHealthCheck(services.GetRequiredService<ThrottleRuntime>(), options),
            failureStatus,
            tags));
    }
}
