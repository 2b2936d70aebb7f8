using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Throttle.AspNetCore.Exceptions;

namespace Throttle.AspNetCore.Runtime;

/// <summary>Puts <see cref="ThrottleRuntimeMiddleware"/> in front of the app's pipeline, on the host's one runtime.</summary>
internal sealed class ThrottleRuntimeStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // Resolved once, as the host starts: a missing registration stops start-up instead of failing every request.
        var runtime = app.ApplicationServices.GetService<ThrottleRuntime>() ?? throw new InvalidOperationException(
            "AddThrottleAspNetCore needs the host's ThrottleRuntime in the service container: call services.AddThrottle(...) " +
            "(package Throttle.Hosting), or register one with services.AddSingleton(new ThrottleRuntime(options)).");
        app.Use(request => new ThrottleRuntimeMiddleware(request, runtime).InvokeAsync);
        next(app);
    };
}
