using System;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Throttle.AspNetCore;

/// <summary>
/// The one way this package answers a request it refuses: a status code, <c>Retry-After</c> in whole seconds (rounded
/// up) when the wait is known, and a ProblemDetails body through the app's <see cref="IProblemDetailsService"/> when one
/// is registered (<c>AddThrottleAspNetCore</c> registers it).
/// </summary>
internal static class ThrottleProblemResponse
{
    /// <summary>Writes the answer on <paramref name="httpContext"/>'s response, which must not have started.</summary>
    public static ValueTask WriteAsync(HttpContext httpContext, int statusCode, string title, TimeSpan? retryAfter, Exception? exception = null)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        if (retryAfter is { } wait)
        {
            response.Headers[HeaderNames.RetryAfter] = WholeSeconds(wait);
        }

        var problems = httpContext.RequestServices.GetService<IProblemDetailsService>();
        if (problems is null)
        {
            return default;
        }

        return WriteProblemAsync(problems, httpContext, statusCode, title, exception);
    }

    /// <summary><paramref name="delay"/> as HTTP delay-seconds: whole seconds, rounded up, never negative.</summary>
    public static string WholeSeconds(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return "0";
        }

        // Ticks, not TotalSeconds: a double would round 1.0000001 s down to 1.
        var seconds = (delay.Ticks / TimeSpan.TicksPerSecond) + (delay.Ticks % TimeSpan.TicksPerSecond == 0 ? 0 : 1);
        return seconds.ToString(CultureInfo.InvariantCulture);
    }

    private static async ValueTask WriteProblemAsync(
        IProblemDetailsService problems, HttpContext httpContext, int statusCode, string title, Exception? exception)
    {
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = statusCode, Title = title },
            Exception = exception,
        }).ConfigureAwait(false);
    }
}
