using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Storage.Memory;

public sealed class MemoryStorageKeyValueTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public async Task SetGetDeleteExists()
    {
        var storage = new MemoryStorage(10, _clock);
        Assert.Null(await storage.GetAsync("a"));
        Assert.False(await storage.ExistsAsync("a"));

        await storage.SetAsync("a", "one");
        Assert.Equal("one", await storage.GetAsync("a"));
        Assert.True(await storage.ExistsAsync("a"));

        await storage.SetAsync("a", "two");
        Assert.Equal("two", await storage.GetAsync("a"));
        Assert.Equal(1, storage.Count);

        Assert.True(await storage.DeleteAsync("a"));
        Assert.False(await storage.DeleteAsync("a"));
        Assert.Null(await storage.GetAsync("a"));
        Assert.Equal(0, storage.Count);
    }

    [Fact]
    public async Task Ttl_ExpiresTheValue_AndAccessCleansItUp()
    {
        var storage = new MemoryStorage(10, _clock);
        await storage.SetAsync("a", "v", TimeSpan.FromSeconds(2));
        _clock.Advance(TimeSpan.FromSeconds(1.999));
        Assert.Equal("v", await storage.GetAsync("a"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, storage.Count);
        Assert.False(await storage.ExistsAsync("a"));
        Assert.Equal(0, storage.Count); // removed on access
        Assert.Null(await storage.GetAsync("a"));
    }

    [Fact]
    public async Task Set_ReplacesTheTtl()
    {
        var storage = new MemoryStorage(10, _clock);
        await storage.SetAsync("a", "v", TimeSpan.FromSeconds(1));
        await storage.SetAsync("a", "w");
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal("w", await storage.GetAsync("a"));
    }

    [Fact]
    public async Task IncrementAndDecrement_AreNumeric_AndInvariant()
    {
        var storage = new MemoryStorage(10, _clock);
        Assert.Equal(1, await storage.IncrementAsync("n"));
        Assert.Equal(3.5, await storage.IncrementAsync("n", 2.5));
        Assert.Equal(3, await storage.DecrementAsync("n", 0.5));
        Assert.Equal(-1, await storage.DecrementAsync("m"));

        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            Assert.Equal(3.25, await storage.IncrementAsync("n", 0.25));
            Assert.Equal("3.25", await storage.GetAsync("n"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public async Task Increment_KeepsTheTtl_AndRestartsAnExpiredValue()
    {
        var storage = new MemoryStorage(10, _clock);
        await storage.SetAsync("n", "5", TimeSpan.FromSeconds(10));
        Assert.Equal(6, await storage.IncrementAsync("n"));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await storage.GetAsync("n"));

        await storage.SetAsync("n", "5", TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, await storage.IncrementAsync("n"));
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal("1", await storage.GetAsync("n"));
    }

    [Fact]
    public async Task Increment_OfText_Throws()
    {
        var storage = new MemoryStorage(10, _clock);
        await storage.SetAsync("t", "hello");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.IncrementAsync("t").AsTask());
        Assert.Contains("not a number", ex.Message, StringComparison.Ordinal);
        Assert.Equal("hello", await storage.GetAsync("t"));
    }

    [Fact]
    public async Task MaxSize_EvictsTheLeastRecentlyUsed_SharedWithLimiterState()
    {
        var storage = new MemoryStorage(10, _clock);
        for (var i = 0; i < 10; i++)
        {
            await storage.SetAsync("k" + i, "v");
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Touch k0 so that it is the most recently used.
        Assert.Equal("v", await storage.GetAsync("k0"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        // A limiter key joins the same budget and pushes it over.
        var limiter = new TokenBucketLimiter(1, per: 3600, storage: storage);
        Assert.True(await limiter.TryAcquireAsync("user"));

        Assert.InRange(storage.Count, 1, 10);
        Assert.Equal("v", await storage.GetAsync("k0"));
        Assert.Null(await storage.GetAsync("k1"));
        Assert.NotNull((await limiter.GetStatsAsync("user")).LastUpdate);
    }

    [Fact]
    public async Task BadArguments_Throw()
    {
        var storage = new MemoryStorage(10, _clock);
        await Assert.ThrowsAsync<ArgumentException>("key", () => storage.GetAsync("").AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>("key", () => storage.ExistsAsync(null!).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>("value", () => storage.SetAsync("k", null!).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("ttl", () => storage.SetAsync("k", "v", TimeSpan.Zero).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("ttl", () => storage.SetAsync("k", "v", TimeSpan.FromSeconds(-1)).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("delta", () => storage.IncrementAsync("k", double.NaN).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("delta", () => storage.DecrementAsync("k", double.PositiveInfinity).AsTask());
        await Assert.ThrowsAsync<OperationCanceledException>(() => storage.GetAsync("k", new CancellationToken(true)).AsTask());
    }
}
