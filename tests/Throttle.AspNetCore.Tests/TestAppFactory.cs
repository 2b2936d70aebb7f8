using System.Collections.Generic;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Throttle.AspNetCore.Tests;

/// <summary>
/// The test app (tests/Throttle.AspNetCore.TestApp) on a runtime of the test's own, registered as the host's singleton
/// the way <c>AddThrottle</c> will: each factory is one host with one runtime.
/// </summary>
public sealed class TestAppFactory(ThrottleRuntime runtime, string environment = "Development", IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public ThrottleRuntime Runtime { get; } = runtime;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton(Runtime));
    }
}
