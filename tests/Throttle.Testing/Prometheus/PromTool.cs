using System.Diagnostics;
using System.Threading.Tasks;

namespace Throttle.Testing.Prometheus;

/// <summary>Runs Debian's <c>promtool</c>.</summary>
public static class PromTool
{
    /// <summary>
    /// <c>promtool check metrics</c> on <paramref name="exposition"/> (Prometheus text format on its stdin): its exit
    /// code (0 when the exposition is valid and passes the linter) and what it wrote.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo(PrometheusAvailability.Require(PrometheusAvailability.PromTool))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
