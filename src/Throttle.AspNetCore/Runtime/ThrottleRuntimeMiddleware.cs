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
/// The scope covers the synchronous part of the rest of the pipeline only, and that is enough: every await in it
/// captures the execution context, runtime included, and its continuations run in that context. Ending the scope as
/// soon as the pipeline returns its task keeps the runtime out of the server's own flow, and keeps the cost at one
/// <see cref="ThrottleRuntime.Use"/> scope per request: no state machine unless the request goes async, when the
/// exception fallback awaits it.
/// </remarks>
internal sealed class ThrottleRuntimeMiddleware(RequestDelegate next, ThrottleRuntime runtime)
{
    public Task InvokeAsync(HttpContext context)
    {
        Task pending;
        using (ThrottleRuntime.Use(runtime))
        {
            try
            {
                pending = next(context);
            }
            catch (Exception exception)
            {
                pending = Task.FromException(exception);
            }
        }

        return pending.IsCompletedSuccessfully ? pending : AnswerThrottleExceptionsAsync(pending, context);
    }

    private static async Task AnswerThrottleExceptionsAsync(Task pending, HttpContext context)
    {
        ThrottleProblem problem = default;
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception exception) when (!context.Response.HasStarted && ThrottleProblem.TryMap(exception, out problem))
        {
            context.Response.Clear();
            await ThrottleExceptionHandler.WriteAsync(context, problem, exception).ConfigureAwait(false);
        }
    }
}
