using System;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Testing;
using Xunit;
using static Throttle.Generator.Tests.GeneratedAssembly;

namespace Throttle.Generator.Tests;

/// <summary>
/// <c>[RateLimit(KeyMethod = ...)]</c> at run time: the key method's value partitions the limit (static or instance,
/// any subset of the arguments in its own order, a string or a formatted value), and an exception it throws reaches the
/// caller before any permit is taken.
/// </summary>
public sealed class KeyMethodRuntimeTests
{
    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Keyed;

        public sealed record Order(string Tenant, int Id);

        public sealed partial class Api
        {
            public string Prefix = "t-";
            public int KeyCalls;

            [RateLimit(1, Per = 1, KeyMethod = nameof(TenantOf))]
            public partial Task<int> PlaceAsync(Order order, CancellationToken cancellationToken);
            private Task<int> PlaceCoreAsync(Order order, CancellationToken cancellationToken) => Task.FromResult(order.Id);
            private static string TenantOf(Order order) => order.Tenant;

            [RateLimit(1, Per = 1, KeyMethod = nameof(KeyOf))]
            public partial ValueTask<int> ComputeAsync(int a, string b);
            private ValueTask<int> ComputeCoreAsync(int a, string b) => new(a);
            private string KeyOf(string b) { KeyCalls++; return Prefix + b; }

            [RateLimit(1, Per = 10, KeyMethod = nameof(Checked))]
            public partial Task<string> CheckedAsync(string key, bool fail);
            private Task<string> CheckedCoreAsync(string key, bool fail) => Task.FromResult(key);
            private static string Checked(bool fail, string key) => fail ? throw new InvalidOperationException("no key for " + key) : key;

            [RateLimit(1, Per = 1, KeyMethod = nameof(Parity))]
            public partial Task<int> NumberedAsync(int id);
            private Task<int> NumberedCoreAsync(int id) => Task.FromResult(id);
            private static int Parity(int id) => id % 2;

            [RateLimit(1, Per = 1, KeyMethod = nameof(Empty))]
            public partial Task<int> EmptyKeyAsync(int id);
            private Task<int> EmptyKeyCoreAsync(int id) => Task.FromResult(id);
            private static string? Empty(int id) => id == 0 ? null : "k";
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => Load(Source, nameof(KeyMethodRuntimeTests)));

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StaticKeyMethodPartitionsByItsValue()
    {
        var (fake, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            Assert.Equal(1, await Place(api, "a", 1));
            var sameTenant = Place(api, "a", 2);
            Assert.False(sameTenant.IsCompleted, "The key method's value is the bucket: tenant 'a' has used its permit.");
            var otherTenant = Place(api, "b", 3);
            Assert.True(otherTenant.IsCompletedSuccessfully, "Another tenant has a bucket of its own.");
            Assert.Equal(3, await otherTenant);

            fake.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(2, await sameTenant.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task InstanceKeyMethodReadsTheReceiverAndASubsetOfTheArguments()
    {
        var (fake, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            Assert.Equal(1, await Compute(api, 1, "x"));
            var sameKey = Compute(api, 2, "x");
            Assert.False(sameKey.IsCompleted);

            // The receiver's state is part of the key: another prefix is another bucket.
            api.GetType().GetField("Prefix")!.SetValue(api, "u-");
            var otherPrefix = Compute(api, 3, "x");
            Assert.True(otherPrefix.IsCompletedSuccessfully);
            Assert.Equal(3, await otherPrefix);
            Assert.Equal(3, (int)api.GetType().GetField("KeyCalls")!.GetValue(api)!);

            fake.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(2, await sameKey.WaitAsync(Patience));
        }
    }

    [Fact]
    public async Task KeyMethodExceptionReachesTheCallerAndAcquiresNothing()
    {
        var (_, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            var thrown = Assert.Throws<InvalidOperationException>(() => { _ = Call<Task<string>>(api, "CheckedAsync", "k", true); });
            Assert.Equal("no key for k", thrown.Message);

            // One permit per 10 s: had the failed call taken it, this one would wait.
            var first = Call<Task<string>>(api, "CheckedAsync", "k", false);
            Assert.True(first.IsCompletedSuccessfully, "The failed call took no permit.");
            Assert.Equal("k", await first);
            Assert.False(Call<Task<string>>(api, "CheckedAsync", "k", false).IsCompleted, "The limit itself still holds.");
        }
    }

    [Fact]
    public async Task NonStringKeyIsFormatted()
    {
        var (_, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            Assert.Equal(1, await Call<Task<int>>(api, "NumberedAsync", 1));
            Assert.False(Call<Task<int>>(api, "NumberedAsync", 3).IsCompleted, "3 and 1 have the same key, 1.");
            Assert.Equal(2, await Call<Task<int>>(api, "NumberedAsync", 2));
        }
    }

    [Fact]
    public void NullKeyFromTheKeyMethodIsRefusedNamingIt()
    {
        var (_, scope) = NewRuntime();
        using (scope)
        {
            var api = NewApi();
            var error = Assert.Throws<ArgumentException>(() => { _ = Call<Task<int>>(api, "EmptyKeyAsync", 0); });
            Assert.Contains("'Empty(id)' is null or empty", error.Message, StringComparison.Ordinal);
        }
    }

    private static Task<int> Place(object api, string tenant, int id) =>
        Call<Task<int>>(api, "PlaceAsync", Activator.CreateInstance(s_assembly.Value.GetType("Keyed.Order")!, tenant, id), CancellationToken.None);

    private static Task<int> Compute(object api, int a, string b) => Call<ValueTask<int>>(api, "ComputeAsync", a, b).AsTask();

    private static (TestClock Fake, IDisposable Scope) NewRuntime()
    {
        var fake = new TestClock();
        return (fake, ThrottleRuntime.Use(new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = fake })));
    }

    private static object NewApi() => Activator.CreateInstance(s_assembly.Value.GetType("Keyed.Api")!)!;
}
