using System;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Throttle.AspNetCore.RateLimiting;
using Throttle.AspNetCore.Exceptions;
using Throttle.AspNetCore.Runtime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Throttle's ASP.NET Core integration.</summary>
public static class ThrottleAspNetCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers, in one call:
    /// <list type="bullet">
    /// <item>a middleware, first in the pipeline, that makes the host's <see cref="Throttle.ThrottleRuntime"/> (resolved from
    /// the container as the host starts; <c>AddThrottle</c> registers it) current for each request's async flow, so
    /// generated methods called in a request use the host's runtime;</item>
    /// <item>an <see cref="IExceptionHandler"/> (for <c>app.UseExceptionHandler()</c>), a developer exception page filter
    /// and that middleware's fallback, which answer exceptions of generated code with ProblemDetails:
    /// <see cref="Throttle.RateLimitRejectedException"/> → 429 with <c>Retry-After</c>; Polly's
    /// <c>BrokenCircuitException</c> → 503 with <c>Retry-After</c> (the rest of the break, when known);
    /// <see cref="Throttle.Semaphores.SemaphoreTimeoutException"/> and <see cref="Throttle.Queues.QueueStoppedException"/> → 503;</item>
    /// <item>ProblemDetails (<c>AddProblemDetails</c>), which also writes the body of Throttle's rate-limiter rejections;</item>
    /// <item>a start-up check of Throttle's rate-limiter policies (<c>AddThrottlePolicy</c>, <c>UseThrottleGlobalLimiter</c>):
    /// a limiter name not registered on the runtime stops the host's start-up with a message naming the policy.</item>
    /// </list>
    /// Calling it again adds nothing. Register it before exception handlers of your own that handle every exception:
    /// handlers run in registration order.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddThrottleAspNetCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, ThrottleExceptionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeveloperPageExceptionFilter, ThrottleDeveloperPageExceptionFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, ThrottleRuntimeStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimiterOptions>, ThrottleRateLimiterOptionsValidator>());
        services.AddOptions<RateLimiterOptions>().ValidateOnStart();
        return services;
    }
}
