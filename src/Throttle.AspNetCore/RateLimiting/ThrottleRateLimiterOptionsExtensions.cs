using System;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Throttle.AspNetCore.RateLimiting;

namespace Microsoft.AspNetCore.RateLimiting;

/// <summary>
/// ASP.NET Core rate limiting (<c>AddRateLimiter</c>, <c>UseRateLimiter</c>) on Throttle limiters: the limiter is a
/// named limiter of the request's <see cref="Throttle.ThrottleRuntime"/> (the host's singleton, registered by
/// <c>AddThrottle</c>), so its state lives in the runtime's storage (memory, or Redis shared by every instance).
/// </summary>
/// <remarks>
/// A rejected request gets 429 with <c>Retry-After</c> (whole seconds, rounded up), the IETF draft
/// <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and <c>RateLimit-Reset</c> headers when
/// <see cref="ThrottlePolicyOptions.IncludeRateLimitHeaders"/> is set, and a ProblemDetails body when an
/// <c>IProblemDetailsService</c> is registered (<c>AddThrottleAspNetCore</c> registers one). With
/// <c>AddThrottleAspNetCore</c>, a limiter name that is not registered on the runtime stops the host's start-up.
/// </remarks>
public static class ThrottleRateLimiterOptionsExtensions
{
    /// <summary>
    /// Adds the policy <paramref name="policyName"/> for <c>RequireRateLimiting(policyName)</c> and
    /// <c>[EnableRateLimiting(policyName)]</c>: each request takes one permit from the key
    /// <paramref name="partition"/> returns, of the runtime's limiter named <paramref name="limiter"/>.
    /// </summary>
    /// <param name="options">The rate limiter options.</param>
    /// <param name="policyName">The policy's name; not null or empty.</param>
    /// <param name="limiter">The name of a limiter registered on the runtime (<c>AddLimiter</c>, <c>RegisterLimiter</c>); not null or empty.</param>
    /// <param name="partition">The request's key, for example the user's name; a null or empty key is
    /// <see cref="ThrottlePolicyOptions.AnonymousPartition"/>, shared by every anonymous request.</param>
    /// <param name="configure">Changes the policy's settings, or null for the defaults.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="partition"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="policyName"/> or <paramref name="limiter"/> is null or empty, or a policy of that name exists.</exception>
    /// <remarks>With <c>AddThrottleAspNetCore</c>, the host's start-up fails (<c>OptionsValidationException</c>, naming the
    /// policy) when <paramref name="limiter"/> is not registered on its runtime.</remarks>
    public static RateLimiterOptions AddThrottlePolicy(
        this RateLimiterOptions options,
        string policyName,
        string limiter,
        Func<HttpContext, string?> partition,
        Action<ThrottlePolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(policyName);
        var policy = CreatePolicy(limiter, partition, configure);
        options.AddPolicy(policyName, policy);
        ThrottlePolicyLimiters.Record(options, $"AddThrottlePolicy(\"{policyName}\")", limiter);
        return options;
    }

    /// <summary>
    /// Makes a Throttle limiter the global limiter, which every request passes before its endpoint's policy: each request
    /// takes one permit from the key <paramref name="partition"/> returns, of the runtime's limiter named
    /// <paramref name="limiter"/>. A global limiter set before stays: both apply (chained). Sets
    /// <see cref="RateLimiterOptions.OnRejected"/> to Throttle's 429 answer unless one is set already.
    /// </summary>
    /// <param name="options">The rate limiter options.</param>
    /// <param name="limiter">The name of a limiter registered on the runtime; not null or empty.</param>
    /// <param name="partition">The request's key; a null or empty key is <see cref="ThrottlePolicyOptions.AnonymousPartition"/>.</param>
    /// <param name="configure">Changes the limiter's settings, or null for the defaults.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="partition"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="limiter"/> is null or empty.</exception>
    public static RateLimiterOptions UseThrottleGlobalLimiter(
        this RateLimiterOptions options,
        string limiter,
        Func<HttpContext, string?> partition,
        Action<ThrottlePolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var policy = CreatePolicy(limiter, partition, configure);
        ThrottlePolicyLimiters.Record(options, "UseThrottleGlobalLimiter", limiter);
        var global = PartitionedRateLimiter.Create<HttpContext, string>(policy.GetPartition, StringComparer.Ordinal);
        options.GlobalLimiter = options.GlobalLimiter is { } existing ? PartitionedRateLimiter.CreateChained(existing, global) : global;
        options.OnRejected ??= (context, cancellationToken) => policy.OnRejected(context, cancellationToken);
        return options;
    }

    private static ThrottleRateLimiterPolicy CreatePolicy(string limiter, Func<HttpContext, string?> partition, Action<ThrottlePolicyOptions>? configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(limiter);
        ArgumentNullException.ThrowIfNull(partition);
        var settings = new ThrottlePolicyOptions();
        configure?.Invoke(settings);
        return new ThrottleRateLimiterPolicy(limiter, partition, settings.Copy());
    }
}
