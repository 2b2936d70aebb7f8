using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Throttle.AspNetCore.Exceptions;

/// <summary>
/// Turns Throttle's exceptions into HTTP answers for <c>UseExceptionHandler()</c> (see <see cref="ThrottleProblem"/>);
/// any other exception is left to the next handler.
/// </summary>
internal sealed class ThrottleExceptionHandler : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken) =>
        ThrottleProblem.TryMap(exception, out var problem) && !httpContext.Response.HasStarted
            ? WriteAsync(httpContext, problem, exception)
            : new ValueTask<bool>(false);

    /// <summary>Answers with <paramref name="problem"/>; the response must not have started.</summary>
    internal static async ValueTask<bool> WriteAsync(HttpContext httpContext, ThrottleProblem problem, Exception exception)
    {
        await ThrottleProblemResponse.WriteAsync(httpContext, problem.StatusCode, problem.Title, problem.RetryAfter, exception)
            .ConfigureAwait(false);
        return true;
    }
}
