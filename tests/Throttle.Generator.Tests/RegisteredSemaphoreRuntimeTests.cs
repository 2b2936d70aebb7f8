using System;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Infrastructure;
using Throttle.Policies;
using Throttle.Testing;
using Xunit;
using static Throttle.Generator.Tests.GeneratedAssembly;

namespace Throttle.Generator.Tests;

/// <summary>
/// <c>[DistributedSemaphore(Semaphore = "name")]</c> at run time: the method holds a slot of the semaphore registered
/// under that key on its runtime (so the value comes from the registration, e.g. configuration), an unregistered key
/// fails the first call naming the method and the semaphore, and the manifest records the name.
/// </summary>
public sealed class RegisteredSemaphoreRuntimeTests
{
    private const string Source = """
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Licensed;

        public sealed partial class Upstream
        {
            public TaskCompletionSource<int> Gate { get; set; } = new();

            [DistributedSemaphore(Semaphore = "licences", AcquireTimeoutSeconds = 1)]
            public partial Task<int> FetchAsync(CancellationToken cancellationToken);
            private Task<int> FetchCoreAsync(CancellationToken cancellationToken) => Gate.Task;
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => Load(Source, nameof(RegisteredSemaphoreRuntimeTests)));

    [Fact]
    public async Task CallsHoldSlotsOfTheRegisteredSemaphore()
    {
        var fake = new TestClock();
        var runtime = NewRuntime(fake);
        var registered = runtime.RegisterSemaphore(new DistributedSemaphoreOptions { Key = "licences", Value = 2 });
        var api = NewApi();
        using (ThrottleRuntime.Use(runtime))
        {
            var first = Call<Task<int>>(api, "FetchAsync", CancellationToken.None);
            var second = Call<Task<int>>(api, "FetchAsync", CancellationToken.None);
            Assert.True(first.IsCompleted is false && second.IsCompleted is false, "Both calls hold a slot and wait for the gate.");

            // A third call waits for a slot (the registered value is 2) and times out after the attribute's 1 s.
            var third = Call<Task<int>>(api, "FetchAsync", CancellationToken.None);
            Assert.False(third.IsCompleted);
            fake.Advance(TimeSpan.FromSeconds(1.5));
            await Assert.ThrowsAsync<Throttle.Semaphores.SemaphoreTimeoutException>(() => third);

            ((TaskCompletionSource<int>)api.GetType().GetProperty("Gate")!.GetValue(api)!).SetResult(7);
            Assert.Equal(7, await first);
            Assert.Equal(7, await second);

            // Both slots came back to the registered semaphore itself.
            await using var a = await registered.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
            await using var b = await registered.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
        }
    }

    [Fact]
    public async Task UnregisteredSemaphoreFailsTheFirstCallNamingMethodAndSemaphore()
    {
        var fake = new TestClock();
        var runtime = NewRuntime(fake);
        var api = NewApi();
        ((TaskCompletionSource<int>)api.GetType().GetProperty("Gate")!.GetValue(api)!).SetResult(3);
        using (ThrottleRuntime.Use(runtime))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Call<Task<int>>(api, "FetchAsync", CancellationToken.None));
            Assert.Contains("Licensed.Upstream.FetchAsync uses the semaphore 'licences'", error.Message, StringComparison.Ordinal);
            Assert.Contains("Throttle:Semaphores:licences", error.Message, StringComparison.Ordinal);

            // The failure is not remembered: registering the semaphore makes the next call work.
            runtime.RegisterSemaphore(new DistributedSemaphoreOptions { Key = "licences", Value = 1 });
            Assert.Equal(3, await Call<Task<int>>(api, "FetchAsync", CancellationToken.None));
        }
    }

    [Fact]
    public void RegisteredSiteChecksItsArguments()
    {
        Assert.Throws<ArgumentException>(() => new DistributedSemaphoreSite("m", "", 1));
        Assert.Equal("AcquireTimeoutSeconds", Assert.ThrowsAny<ArgumentException>(() => new DistributedSemaphoreSite("m", "licences", 0)).ParamName);
        var site = new DistributedSemaphoreSite("m", "licences", 2);
        Assert.Equal("licences", site.SemaphoreName);
        Assert.Equal(TimeSpan.FromSeconds(2), site.AcquireTimeout);
    }

    [Fact]
    public void ManifestRecordsTheSemaphore()
    {
        _ = s_assembly.Value.GetType("Licensed.Upstream")!.TypeHandle;
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(s_assembly.Value.ManifestModule.ModuleHandle);
        Assert.Contains(SiteManifest.References, r => r is { Method: "Licensed.Upstream.FetchAsync", Kind: SiteResourceKind.Semaphore, Name: "licences" });
    }

    private static ThrottleRuntime NewRuntime(TestClock fake) => new(new ThrottleRuntimeOptions { TimeProvider = fake });

    private static object NewApi() => Activator.CreateInstance(s_assembly.Value.GetType("Licensed.Upstream")!)!;
}
