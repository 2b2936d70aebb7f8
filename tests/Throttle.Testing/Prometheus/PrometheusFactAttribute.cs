using Xunit;

namespace Throttle.Testing.Prometheus;

/// <summary>A fact that needs prometheus and promtool: skipped without them, except in CI where it runs (and fails).</summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    /// <summary>Skips the fact when prometheus or promtool is missing and <see cref="PrometheusAvailability.IsRequired"/> is false.</summary>
    public PrometheusFactAttribute()
    {
        if ((PrometheusAvailability.Prometheus is null || PrometheusAvailability.PromTool is null) && !PrometheusAvailability.IsRequired)
        {
            Skip = PrometheusAvailability.Missing + " Set CI=true or THROTTLE_REQUIRE_PROMETHEUS=1 to fail instead of skipping.";
        }
    }
}
