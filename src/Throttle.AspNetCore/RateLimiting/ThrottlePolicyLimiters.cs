using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.RateLimiting;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>
/// The runtime limiters each <see cref="RateLimiterOptions"/> instance's Throttle policies name (recorded by
/// <c>AddThrottlePolicy</c> and <c>UseThrottleGlobalLimiter</c>), so the host can check them at start-up
/// (<see cref="ThrottleRateLimiterOptionsValidator"/>). Keyed by the options instance: hosts never see each other's.
/// </summary>
internal static class ThrottlePolicyLimiters
{
    private static readonly ConditionalWeakTable<RateLimiterOptions, List<(string Source, string Limiter)>> s_byOptions = [];

    public static void Record(RateLimiterOptions options, string source, string limiter)
    {
        var list = s_byOptions.GetOrCreateValue(options);
        lock (list)
        {
            list.Add((source, limiter));
        }
    }

    public static (string Source, string Limiter)[] Of(RateLimiterOptions options)
    {
        if (!s_byOptions.TryGetValue(options, out var list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }
}
