using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Throttle.AspNetCore.Exceptions;

/// <summary>
/// The same answers in Development: the developer exception page (which a web app adds first in that environment,
/// ahead of <c>UseExceptionHandler</c>'s handlers) asks this filter before rendering a 500 page.
/// </summary>
internal sealed class ThrottleDeveloperPageExceptionFilter : IDeveloperPageExceptionFilter
{
    public async Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next)
    {
        var httpContext = errorContext.HttpContext;
        if (ThrottleProblem.TryMap(errorContext.Exception, out var problem) && !httpContext.Response.HasStarted)
        {
            httpContext.Response.Clear();
            await ThrottleExceptionHandler.WriteAsync(httpContext, problem, errorContext.Exception).ConfigureAwait(false);
            return;
        }

        await next(errorContext).ConfigureAwait(false);
    }
}
