using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Throttle.AspNetCore.Exceptions;
using Throttle.AspNetCore.Runtime;
using Xunit;

namespace Throttle.AspNetCore.Tests;

public sealed class ThrottleAspNetCoreServiceCollectionExtensionsTests
{
    [Fact]
    public void One_call_registers_the_handler_the_page_filter_the_middleware_and_ProblemDetails_once()
    {
        var services = new ServiceCollection().AddLogging();

        services.AddThrottleAspNetCore();
        services.AddThrottleAspNetCore();

        using var provider = services.BuildServiceProvider();
        Assert.IsType<ThrottleExceptionHandler>(Assert.Single(provider.GetServices<IExceptionHandler>()));
        Assert.IsType<ThrottleDeveloperPageExceptionFilter>(Assert.Single(provider.GetServices<IDeveloperPageExceptionFilter>()));
        Assert.IsType<ThrottleRuntimeStartupFilter>(Assert.Single(provider.GetServices<IStartupFilter>()));
        Assert.NotNull(provider.GetService<IProblemDetailsService>());
        Assert.Single(services, service => service.ServiceType == typeof(IExceptionHandler));
    }

    [Fact]
    public void A_null_collection_is_refused_naming_it()
    {
        Assert.Equal("services", Assert.Throws<System.ArgumentNullException>(() => ((IServiceCollection)null!).AddThrottleAspNetCore()).ParamName);
    }
}
