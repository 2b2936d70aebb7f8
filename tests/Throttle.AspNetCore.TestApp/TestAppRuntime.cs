using System;
using Throttle.Limiters;

namespace Throttle.AspNetCore.TestApp;

/// <summary>The names the app's policies use, and the runtime they expect: its limiters registered under those names.</summary>
public static class TestAppRuntime
{
    public const string ApiLimiter = "api";
    public const string GlobalLimiter = "global";
    public const string PerUser = "per-user";
    public const string PerUserWithHeaders = "per-user-headers";

    /// <summary>The limit of <see cref="ApiLimiter"/>: a burst of this many per user, refilled over an hour.</summary>
    public const int ApiBurst = 3;

    /// <summary>The limit of <see cref="GlobalLimiter"/> per user.</summary>
    public const int GlobalBurst = 4;

    /// <summary>
    /// A runtime from <paramref name="options"/> with <see cref="ApiLimiter"/> and <see cref="GlobalLimiter"/> (token
    /// buckets: <paramref name="apiBurst"/> and <see cref="GlobalBurst"/> per user, refilled over an hour, so a test sees
    /// no refill).
    /// </summary>
    public static ThrottleRuntime Create(ThrottleRuntimeOptions options, int apiBurst = ApiBurst, string scopePrefix = "")
    {
        var runtime = new ThrottleRuntime(options);
        runtime.RegisterLimiter(ApiLimiter, new TokenBucketLimiter(apiBurst, 3600, apiBurst, runtime.Storage, scopePrefix + ApiLimiter));
        runtime.RegisterLimiter(GlobalLimiter, new TokenBucketLimiter(GlobalBurst, 3600, GlobalBurst, runtime.Storage, scopePrefix + GlobalLimiter));
        return runtime;
    }
}

/// <summary>Names a runtime by its identity, so a test can tell which one a request saw.</summary>
public static class RuntimeIdentity
{
    public static string Of(ThrottleRuntime runtime) =>
        System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(runtime).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
