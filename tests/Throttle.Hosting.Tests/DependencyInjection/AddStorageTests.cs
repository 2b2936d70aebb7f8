using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Throttle.Infrastructure;
using Throttle.Storage;
using Xunit;

namespace Throttle.Hosting.Tests.DependencyInjection;

/// <summary><c>AddStorage</c> registers a named storage on the host's runtime; a method using an unregistered one stops start-up.</summary>
public sealed class AddStorageTests
{
    [Fact]
    public async Task A_storage_added_to_the_builder_is_registered_on_the_runtime()
    {
        MemoryStorage? built = null;
        using var host = TestHosts.Build(
            configure: t => t.AddStorage("tenants", (_, runtime) => built = new MemoryStorage(timeProvider: runtime.TimeProvider)),
            siteReferences: [("Shop.Orders.PlaceAsync", SiteResourceKind.Storage, "tenants")]);

        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<ThrottleRuntime>();

        Assert.True(runtime.TryGetStorage("tenants", out var storage));
        Assert.Same(built, storage);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_storage_factory_given_only_the_container_runs_on_the_container_clock()
    {
        using var host = TestHosts.Build(
            configure: t => t.AddStorage("tenants", sp => new MemoryStorage(timeProvider: sp.GetService<TimeProvider>() ?? TimeProvider.System)));

        await host.StartAsync();

        Assert.True(host.Services.GetRequiredService<ThrottleRuntime>().TryGetStorage("tenants", out _));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_storage_a_method_uses_but_nobody_registered_stops_start_up_naming_the_method()
    {
        using var host = TestHosts.Build(
            configure: t => t.AddStorage("tenants", (_, runtime) => new MemoryStorage(timeProvider: runtime.TimeProvider)),
            siteReferences:
            [
                ("Shop.Orders.PlaceAsync", SiteResourceKind.Storage, "tenants"),
                ("Shop.Orders.SearchAsync", SiteResourceKind.Storage, "search-state"),
            ]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var failure = Assert.Single(error.Failures);
        Assert.Equal(
            "Shop.Orders.SearchAsync uses the storage 'search-state' ([RateLimit(Storage = \"search-state\")]), which is not registered: call AddStorage(\"search-state\", ...).",
            failure);
    }

    [Fact]
    public async Task A_storage_registered_twice_is_refused()
    {
        using var host = TestHosts.Build(configure: t => t
            .AddStorage("tenants", (_, runtime) => new MemoryStorage(timeProvider: runtime.TimeProvider))
            .AddStorage("tenants", (_, runtime) => new MemoryStorage(timeProvider: runtime.TimeProvider)));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AddStorage(\"tenants\"): the storage 'tenants' is registered twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddStorage_refuses_an_empty_name_and_a_null_factory()
    {
        var builder = new ServiceCollection().AddThrottle();

        Assert.Equal("name", Assert.Throws<ArgumentException>(() => builder.AddStorage("", (_, r) => new MemoryStorage(timeProvider: r.TimeProvider))).ParamName);
        Assert.Equal("factory", Assert.Throws<ArgumentNullException>(() => builder.AddStorage("x", (Func<IServiceProvider, ThrottleRuntime, ThrottleStorage>)null!)).ParamName);
    }
}
