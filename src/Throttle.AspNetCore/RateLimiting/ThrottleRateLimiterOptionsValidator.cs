using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>
/// Checks, when the host starts (<c>ValidateOnStart</c>), that every limiter a Throttle policy names is registered on
/// the host's runtime: an unknown name stops start-up naming the policy, not the first request.
/// </summary>
internal sealed class ThrottleRateLimiterOptionsValidator(IServiceProvider services) : IValidateOptions<RateLimiterOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimiterOptions options)
    {
        var used = ThrottlePolicyLimiters.Of(options);
        if (used.Length == 0)
        {
            return ValidateOptionsResult.Skip;
        }

        if (services.GetService<ThrottleRuntime>() is not { } runtime)
        {
            return ValidateOptionsResult.Fail(
                $"{used[0].Source} needs the host's ThrottleRuntime: call builder.Services.AddThrottle(...) (Throttle.Hosting) or register a ThrottleRuntime singleton.");
        }

        var failures = new List<string>();
        foreach (var (source, limiter) in used)
        {
            if (!runtime.TryGetLimiter(limiter, out _))
            {
                failures.Add($"{source} uses the limiter '{limiter}', which is not registered: add it to configuration (Throttle:Limiters:{limiter}) or call AddLimiter(\"{limiter}\", ...).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
