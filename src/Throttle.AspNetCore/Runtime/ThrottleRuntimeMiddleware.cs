using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Throttle.AspNetCore.Exceptions;

namespace Throttle.AspNetCore.Runtime;

/// <summary>
/// The first middleware of the pipeline: makes the host's runtime <see cref="ThrottleRuntime.Current"/> for the
/// request's async flow, so that generated methods called while handling it (static ones included) use the host's
/// limiters, queues and breakers, never another host's. It also answers Throttle's exceptions that no exception
/// handler took (an app without <c>UseExceptionHandler</c>) as <see cref="ThrottleProblem"/> says, rather than 500.
/// </summary>
/// <remarks>
/// Costs one <see cref="ThrottleRuntime.Use"/> scope per request and nothing else: the method is async so that the
/// scope ends with the request's flow, and an async method that completes synchronously allocates no state machine.
/// </remarks>
internal sealed class ThrottleRuntimeMiddleware(RequestDelegate next, ThrottleRuntime runtime)
{
    public async Task InvokeAsync(HttpContext context)
    {
        using var scope = ThrottleRuntime.Use(runtime);
        ThrottleProblem problem = default;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (!context.Response.HasStarted && ThrottleProblem.TryMap(exception, out problem))
        {
            context.Response.Clear();
            await ThrottleExceptionHandler.WriteAsync(context, problem, exception).ConfigureAwait(false);
        }
    }
}
