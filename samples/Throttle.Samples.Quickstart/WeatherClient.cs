using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle;

namespace Throttle.Samples.Quickstart;

/// <summary>A client of an upstream API that allows 5 requests per second overall, and 2 per second per city.</summary>
public sealed partial class WeatherClient
{
    private int _calls;

    /// <summary>Overall limit: 5 calls a second, bursts of up to 5.</summary>
    [RateLimit(5, Per = 1)]
    public partial Task<string> GetForecastAsync(string city, CancellationToken cancellationToken);

    /// <summary>Per-city limit: each city gets 2 calls a second; a caller waits at most 0.2 s, then gets RateLimitRejectedException.</summary>
    [RateLimit(2, Per = 1, Key = nameof(city), MaxWaitSeconds = 0.2)]
    public partial string GetTemperature(string city);

    private async Task<string> GetForecastCoreAsync(string city, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return $"#{Interlocked.Increment(ref _calls)} forecast for {city}: sunny";
    }

    private string GetTemperatureCore(string city) => $"{city}: 21 °C";
}
