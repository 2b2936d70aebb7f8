using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Faults;

/// <summary>
/// A limiter on a storage with one failure policy. Its key is exhausted before the fault (no refill during the test);
/// while Redis is out a call answers by the policy within the bound; after the fault the key is still exhausted when
/// Redis kept its state, and admits at most a fresh burst (at least one call: recovery) when Redis lost it.
/// </summary>
internal sealed class LimiterFaultSubject(string algorithm, RedisStorage storage) : IFaultSubject
{
    private const string Key = "exhausted";
    private readonly ThrottleLimiter _limiter = algorithm switch
    {
        // 5 per 1000 s: nothing refills within a test.
        "token-bucket" => new TokenBucketLimiter(5, 1000, 5, storage, "tb"),
        "sliding-window" => new SlidingWindowLimiter(5, 1000, storage, "sw"),
        _ => new LeakyBucketLimiter(0.001, 5, storage, "lb"),
    };

    private int _freshBurst;

    public string Name => $"{algorithm} limiter, {storage.Options.FailureMode}";

    private StorageFailureMode Mode => storage.Options.FailureMode;

    public async Task PrepareAsync()
    {
        // What a fresh key admits at once: the most the exhausted key may admit after a wipe.
        _freshBurst = await BurstAsync("fresh");
        Assert.True(_freshBurst >= 1, Name);
        Assert.Equal(_freshBurst, await BurstAsync(Key));
        Assert.False(await _limiter.TryAcquireAsync(Key), Name);
    }

    public async Task DuringOutageAsync(FaultBounds bounds)
    {
        var clock = Stopwatch.StartNew();
        switch (Mode)
        {
            case StorageFailureMode.Throw:
                var error = await Assert.ThrowsAsync<ThrottleStorageException>(() => _limiter.AttemptAcquireAsync(Key).AsTask());
                Assert.Equal(storage.Endpoint, error.Endpoint);
                break;
            case StorageFailureMode.FailOpen:
                Assert.True((await _limiter.AttemptAcquireAsync(Key)).IsAcquired, Name);
                break;
            default:
                var decision = await _limiter.AttemptAcquireAsync(Key);
                Assert.False(decision.IsAcquired, Name);
                Assert.Equal(storage.Options.FailClosedRetryAfter, decision.RetryAfter);
                break;
        }

        Assert.True(clock.Elapsed < bounds.CallerLatency, $"{Name}: a call took {clock.Elapsed} with Redis out; bound {bounds.CallerLatency}.");
    }

    public async Task AfterAsync(RedisFault fault, FaultBounds bounds)
    {
        var admitted = await FaultRecovery.EventuallyAsync(() => BurstAsync(Key));
        if (fault.WipesState())
        {
            Assert.InRange(admitted, 1, _freshBurst); // recovered; no over-admission beyond a fresh burst
        }
        else
        {
            Assert.Equal(0, admitted); // the state survived: still exhausted
        }
    }

    public ValueTask DisposeAsync() => default;

    /// <summary>Calls admitted in a row until the first rejection (at most 50).</summary>
    private async Task<int> BurstAsync(string key)
    {
        var admitted = 0;
        while (admitted < 50 && await _limiter.TryAcquireAsync(key))
        {
            admitted++;
        }

        return admitted;
    }
}
