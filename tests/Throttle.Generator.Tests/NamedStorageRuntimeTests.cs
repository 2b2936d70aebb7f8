using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Storage;
using Throttle.Testing;
using Xunit;
using static Throttle.Generator.Tests.GeneratedAssembly;

namespace Throttle.Generator.Tests;

/// <summary>
/// <c>[RateLimit(Storage = "name")]</c> at run time: the limiter's state lives in the storage registered under that name
/// on the runtime (so two runtimes that register one storage share the limit while their own storages stay apart), an
/// unregistered name fails the first call naming the method and the storage, and the manifest records the name.
/// </summary>
public sealed class NamedStorageRuntimeTests
{
    private const string Source = """
        using System.Threading.Tasks;
        using Throttle;

        namespace Stored;

        public sealed partial class Api
        {
            [RateLimit(1, Per = 10, Storage = "shared")]
            public partial Task<int> SharedAsync();
            private Task<int> SharedCoreAsync() => Task.FromResult(1);

            [RateLimit(1, Per = 10)]
            public partial Task<int> OwnAsync();
            private Task<int> OwnCoreAsync() => Task.FromResult(2);
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => Load(Source, nameof(NamedStorageRuntimeTests)));

    [Fact]
    public async Task RuntimesSharingANamedStorageShareTheLimit()
    {
        var fake = new TestClock();
        var shared = new MemoryStorage(timeProvider: fake);
        var first = NewRuntime(fake).RegisterStorage("shared", shared);
        var second = NewRuntime(fake).RegisterStorage("shared", shared);
        var api = NewApi();

        using (ThrottleRuntime.Use(first))
        {
            Assert.Equal(1, await Call<Task<int>>(api, "SharedAsync"));
            Assert.Equal(2, await Call<Task<int>>(api, "OwnAsync"));
        }

        using (ThrottleRuntime.Use(second))
        {
            Assert.False(Call<Task<int>>(api, "SharedAsync").IsCompleted, "The other runtime took the permit in the shared storage.");
            Assert.True(Call<Task<int>>(api, "OwnAsync").IsCompletedSuccessfully, "Each runtime's own storage keeps its own state.");
        }

        Assert.True(first.TryGetStorage("shared", out var found));
        Assert.Same(shared, found);
        Assert.Same(shared, second.GetStorage("shared"));
    }

    [Fact]
    public async Task UnregisteredStorageFailsTheFirstCallNamingMethodAndStorage()
    {
        var fake = new TestClock();
        var runtime = NewRuntime(fake);
        var api = NewApi();
        using (ThrottleRuntime.Use(runtime))
        {
            var error = Assert.Throws<InvalidOperationException>(() => { _ = Call<Task<int>>(api, "SharedAsync"); });
            Assert.Contains("Stored.Api.SharedAsync uses the storage 'shared'", error.Message, StringComparison.Ordinal);
            Assert.Contains("RegisterStorage(\"shared\"", error.Message, StringComparison.Ordinal);

            // The failure is not remembered: registering the storage makes the next call work.
            runtime.RegisterStorage("shared", new MemoryStorage(timeProvider: fake));
            Assert.Equal(1, await Call<Task<int>>(api, "SharedAsync"));
        }
    }

    [Fact]
    public void RegisterStorageChecksItsArguments()
    {
        var fake = new TestClock();
        var runtime = NewRuntime(fake);
        Assert.Equal("storage", Assert.Throws<ArgumentException>(() => runtime.RegisterStorage("x", new MemoryStorage(timeProvider: new TestClock()))).ParamName);
        Assert.Throws<ArgumentNullException>(() => runtime.RegisterStorage("x", null!));
        Assert.Throws<ArgumentException>(() => runtime.RegisterStorage("", new MemoryStorage(timeProvider: fake)));
        runtime.RegisterStorage("x", new MemoryStorage(timeProvider: fake));
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => runtime.RegisterStorage("x", new MemoryStorage(timeProvider: fake))).ParamName);
        Assert.Contains("No storage named 'y'", Assert.Throws<InvalidOperationException>(() => runtime.GetStorage("y")).Message, StringComparison.Ordinal);
        Assert.False(runtime.TryGetStorage("y", out _));
    }

    [Fact]
    public void StorageWithANamedLimiterIsRefusedBySite()
    {
        var error = Assert.Throws<ArgumentException>(() => new RateLimitSite("m", new Throttle.Policies.RateLimitOptions { Limiter = "api", Storage = "redis" }));
        Assert.Equal("Storage", error.ParamName);
    }

    [Fact]
    public void ManifestRecordsTheStorage()
    {
        // Running the generated module initializer: loading the type does it.
        _ = s_assembly.Value.GetType("Stored.Api")!.TypeHandle;
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(s_assembly.Value.ManifestModule.ModuleHandle);
        Assert.Contains(SiteManifest.References, r => r is { Method: "Stored.Api.SharedAsync", Kind: SiteResourceKind.Storage, Name: "shared" });
        Assert.DoesNotContain(SiteManifest.References, r => r.Method == "Stored.Api.OwnAsync");
    }

    private static ThrottleRuntime NewRuntime(TestClock fake) => new(new ThrottleRuntimeOptions { TimeProvider = fake });

    private static object NewApi() => Activator.CreateInstance(s_assembly.Value.GetType("Stored.Api")!)!;
}
