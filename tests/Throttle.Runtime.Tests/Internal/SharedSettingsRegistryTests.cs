using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Throttle.Infrastructure;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Storage;
using Throttle.Tests.Infrastructure;
using Xunit;

namespace Throttle.Tests.Internal;

/// <summary>
/// State shared by name (a limiter scope on a storage, a breaker name, a semaphore key) refuses a second user with
/// other settings at first use, naming both users and what differs; users with the same settings keep sharing.
/// </summary>
public sealed class SharedSettingsRegistryTests
{
    [Fact]
    public void Two_token_buckets_with_different_rates_on_one_storage_and_scope_are_an_error()
    {
        var storage = new MemoryStorage(timeProvider: new FakeTimeProvider());
        _ = new TokenBucketLimiter(5, storage: storage, scope: "github");

        var error = Assert.Throws<InvalidOperationException>(() => new TokenBucketLimiter(10, burst: 5, storage: storage, scope: "github"));

        Assert.Equal(
            "The limiter scope 'github' is shared with different settings on this storage: a TokenBucket limiter created in code uses it with RatePerSecond = 5, "
            + "but a TokenBucket limiter created in code asks for RatePerSecond = 10. Users of one limiter scope share its state, so give them the same settings, or give them different names.",
            error.Message);
    }

    [Fact]
    public async Task Limiters_with_the_same_settings_keep_sharing_their_state()
    {
        var storage = new MemoryStorage(timeProvider: new FakeTimeProvider());
        var first = new TokenBucketLimiter(2, per: 1, storage: storage, scope: "s");
        var second = new TokenBucketLimiter(4, per: 2, burst: 2, storage: storage, scope: "s");

        Assert.True(await first.TryAcquireAsync("k", 2));
        Assert.False(await second.TryAcquireAsync("k"));
    }

    [Fact]
    public void Other_scopes_algorithms_and_storages_are_independent()
    {
        var storage = new MemoryStorage(timeProvider: new FakeTimeProvider());
        _ = new TokenBucketLimiter(5, storage: storage, scope: "a");
        _ = new TokenBucketLimiter(10, storage: storage, scope: "b");
        _ = new SlidingWindowLimiter(10, 1, storage, scope: "a");
        _ = new TokenBucketLimiter(10, storage: new MemoryStorage(timeProvider: new FakeTimeProvider()), scope: "a");
    }

    [Fact]
    public void Two_methods_of_one_scope_with_different_rates_are_named()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new FakeTimeProvider() });
        var fetch = Sites.RateLimit("Ns.Client.FetchAsync", 5, 1, 0, RateLimitStrategy.TokenBucket, "github", null, double.PositiveInfinity);
        var push = Sites.RateLimit("Other.Client.PushAsync", 5, 1, 8, RateLimitStrategy.TokenBucket, "github", null, double.PositiveInfinity);
        var same = Sites.RateLimit("Ns.Client.ListAsync", 5, 1, 5, RateLimitStrategy.TokenBucket, "github", null, 0);
        using var scope = ThrottleRuntime.Use(runtime);

        _ = fetch.Limiter;
        _ = same.Limiter;
        var error = Assert.Throws<InvalidOperationException>(() => push.Limiter);

        Assert.Contains("'github'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ns.Client.FetchAsync uses it with Capacity = 5, but Other.Client.PushAsync asks for Capacity = 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_breaker_name_with_another_threshold_names_both_methods()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new FakeTimeProvider() });
        var read = Breaker("Ns.Db.ReadAsync", threshold: 3, breakSeconds: 10);
        var readToo = Breaker("Ns.Db.ScanAsync", threshold: 3, breakSeconds: 10);
        var write = Breaker("Ns.Db.WriteAsync", threshold: 5, breakSeconds: 30);
        using var scope = ThrottleRuntime.Use(runtime);

        _ = read.Pipeline;
        _ = readToo.Pipeline;
        var error = Assert.Throws<InvalidOperationException>(() => write.Pipeline);

        Assert.Equal(
            "The circuit breaker 'db' is shared with different settings on this runtime: Ns.Db.ReadAsync uses it with FailureThreshold = 3, BreakSeconds = 10, "
            + "but Ns.Db.WriteAsync asks for FailureThreshold = 5, BreakSeconds = 30. Users of one circuit breaker share its state, so give them the same settings, or give them different names.",
            error.Message);
        Assert.Single(runtime.CircuitBreakers);
        Assert.Equal(3, runtime.GetCircuitBreaker("db").FailureThreshold);
    }

    [Fact]
    public async Task A_semaphore_key_with_another_lease_names_both_methods()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new FakeTimeProvider() });
        var export = Sites.Semaphore("Ns.Reports.ExportAsync", "reports", 2, 10, 30, 0.1);
        var print = Sites.Semaphore("Ns.Reports.PrintAsync", "reports", 2, 1, 30, 0.1);
        var archive = Sites.Semaphore("Ns.Reports.ArchiveAsync", "reports", 2, 10, 120, 0.1);
        using var scope = ThrottleRuntime.Use(runtime);

        // Same value and lease: one semaphore (the acquire timeout is each caller's own).
        await using (var lease = await export.AcquireAsync(null, CancellationToken.None))
        {
            Assert.Same(export.Resolve(null), print.Resolve(null));
        }

        var error = Assert.Throws<InvalidOperationException>(() => archive.Resolve(null));
        Assert.Contains(
            "Ns.Reports.ExportAsync uses it with LeaseSeconds = 30, but Ns.Reports.ArchiveAsync asks for LeaseSeconds = 120",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Partitions_of_one_key_share_the_key_settings()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new FakeTimeProvider() });
        var perTenant = Sites.Semaphore("Ns.Jobs.RunAsync", "jobs", 2, 10, 30, 0.1);
        var narrower = Sites.Semaphore("Ns.Jobs.RetryAsync", "jobs", 1, 10, 30, 0.1);
        using var scope = ThrottleRuntime.Use(runtime);

        // Every partition of a key is one semaphore of the key's settings: another value is an error on any partition.
        _ = perTenant.Resolve("acme");
        var error = Assert.Throws<InvalidOperationException>(() => narrower.Resolve("globex"));

        Assert.Contains("The semaphore 'jobs'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ns.Jobs.RunAsync uses it with Value = 2, but Ns.Jobs.RetryAsync asks for Value = 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hand_made_semaphore_and_a_method_with_another_value_are_an_error()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { TimeProvider = new FakeTimeProvider() });
        var site = Sites.Semaphore("Ns.Db.LockAsync", "db", 3, 10, 30, 0.1);
        _ = runtime.GetSemaphore("db", 2);
        using var scope = ThrottleRuntime.Use(runtime);

        var error = Assert.Throws<InvalidOperationException>(() => site.Resolve(null));

        Assert.Contains("a ThrottleRuntime.GetSemaphore caller uses it with Value = 2, but Ns.Db.LockAsync asks for Value = 3", error.Message, StringComparison.Ordinal);
    }

    private static ResilienceSite Breaker(string id, int threshold, double breakSeconds) =>
        new(id, new CircuitBreakerOptions { FailureThreshold = threshold, BreakSeconds = breakSeconds, Name = "db" }, null);
}
