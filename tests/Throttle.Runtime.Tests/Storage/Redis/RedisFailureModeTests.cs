using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

public sealed class RedisFailureModeTests
{
    private static readonly TimeSpan s_noHang = TimeSpan.FromSeconds(15);
    private static readonly LimiterRate s_rate = new(Capacity: 5, PerSecond: 1);

    [Fact]
    public async Task Throw_mode_fails_with_a_storage_exception_naming_the_endpoint()
    {
        var (storage, endpoint) = Unreachable(StorageFailureMode.Throw);
        await using var _ = storage;
        var backend = storage.Backend(LimiterAlgorithm.TokenBucket, "api", s_rate.Capacity, s_rate.PerSecond);

        var failure = await Assert.ThrowsAsync<ThrottleStorageException>(() => backend.TryAcquireAsync("k", 1, s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang));
        Assert.Equal(endpoint, failure.Endpoint);
        Assert.Contains(endpoint, failure.Message, StringComparison.Ordinal);
        Assert.NotNull(failure.InnerException);
        await Assert.ThrowsAsync<ThrottleStorageException>(() => backend.ReleaseAsync("k", 1, s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang));
        await Assert.ThrowsAsync<ThrottleStorageException>(() => backend.GetStatsAsync("k", s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang));
    }

    [Fact]
    public async Task Fail_open_admits_and_drops_releases()
    {
        var (storage, _) = Unreachable(StorageFailureMode.FailOpen);
        await using var _storage = storage;
        var backend = storage.Backend(LimiterAlgorithm.SlidingWindow, "api", s_rate.Capacity, s_rate.PerSecond);

        Assert.True((await backend.TryAcquireAsync("k", 1, s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang)).IsAcquired);
        await backend.ReleaseAsync("k", 1, s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang);
        Assert.Equal(5, (await backend.GetStatsAsync("k", s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang)).AvailableTokens);

        // Key/value operations have no admission to fall back on: they always throw.
        await Assert.ThrowsAsync<ThrottleStorageException>(() => storage.GetAsync("k").AsTask().WaitAsync(s_noHang));
    }

    [Fact]
    public async Task Fail_closed_rejects_with_the_configured_retry_delay()
    {
        var (storage, _) = Unreachable(StorageFailureMode.FailClosed, o => o.FailClosedRetryAfter = TimeSpan.FromSeconds(7));
        await using var _storage = storage;
        var backend = storage.Backend(LimiterAlgorithm.LeakyBucket, "api", s_rate.Capacity, s_rate.PerSecond);

        var decision = await backend.TryAcquireAsync("k", 1, s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang);
        Assert.False(decision.IsAcquired);
        Assert.Equal(TimeSpan.FromSeconds(7), decision.RetryAfter);
        Assert.Equal(0, (await backend.GetStatsAsync("k", s_rate, CancellationToken.None).AsTask().WaitAsync(s_noHang)).AvailableTokens);
    }

    [Fact]
    public async Task Cancellation_is_honoured_and_is_not_a_storage_failure()
    {
        var (storage, _) = Unreachable(StorageFailureMode.FailOpen, o => o.OperationTimeout = TimeSpan.FromSeconds(30));
        await using var _storage = storage;
        var backend = storage.Backend(LimiterAlgorithm.TokenBucket, "api", s_rate.Capacity, s_rate.PerSecond);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.TryAcquireAsync("k", 1, s_rate, cancellation.Token).AsTask().WaitAsync(s_noHang));
    }

    private static (RedisStorage Storage, string Endpoint) Unreachable(StorageFailureMode mode, Action<RedisStorageOptions>? configure = null)
    {
        var endpoint = "127.0.0.1:" + RedisTestHelpers.FreePort();
        var options = new RedisStorageOptions { OperationTimeout = TimeSpan.FromMilliseconds(500), FailureMode = mode };
        configure?.Invoke(options);
        return (new RedisStorage(endpoint, options), endpoint);
    }
}
