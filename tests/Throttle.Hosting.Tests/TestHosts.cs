using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Throttle.Hosting.Configuration;
using Throttle.Infrastructure;

namespace Throttle.Hosting.Tests;

/// <summary>Generic hosts for the tests: configuration from a dictionary, the process's site manifest replaced by the test's.</summary>
internal static class TestHosts
{
    /// <summary>A host with <c>AddThrottle(configuration "Throttle" section)</c>, <paramref name="configure"/> applied to the builder.</summary>
    public static IHost Build(
        IDictionary<string, string?>? settings = null,
        Action<ThrottleBuilder>? configure = null,
        Action<IServiceCollection>? services = null,
        IEnumerable<(string Method, SiteResourceKind Kind, string Name)>? siteReferences = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var throttle = builder.Services.AddThrottle(builder.Configuration.GetSection("Throttle"));
        configure?.Invoke(throttle);

        // Generated code of other test assemblies may record references in the process-wide manifest; each test states its own.
        var references = siteReferences ?? [];
        builder.Services.Configure<ThrottleHostOptions>(o => o.SiteReferences = () => references);
        services?.Invoke(builder.Services);
        return builder.Build();
    }
}
