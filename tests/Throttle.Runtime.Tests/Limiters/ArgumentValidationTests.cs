using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters;
using Throttle.Storage;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Limiters;

public sealed class ArgumentValidationTests
{
    public static TheoryData<double> BadNumbers => new() { 0, -1, -0.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    public static TheoryData<string?> BadKeys => new() { null, string.Empty };

    private static TokenBucketLimiter Create(double rate = 5, double? burst = null) =>
        new(rate, 1, burst, new MemoryStorage(100, new TestClock()));

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Key_NullOrEmpty_Throws(string? key)
    {
        var limiter = Create();
        Assert.Equal("key", Assert.ThrowsAny<ArgumentException>(() => limiter.TryAcquireAsync(key!)).ParamName);
        Assert.Equal("key", Assert.ThrowsAny<ArgumentException>(() => limiter.AttemptAcquireAsync(key!)).ParamName);
        Assert.Equal("key", Assert.ThrowsAny<ArgumentException>(() => limiter.AcquireAsync(key!)).ParamName);
        Assert.Equal("key", Assert.ThrowsAny<ArgumentException>(() => limiter.ReleaseAsync(key!)).ParamName);
        Assert.Equal("key", Assert.ThrowsAny<ArgumentException>(() => limiter.GetStatsAsync(key!)).ParamName);
        Assert.Equal(0, ((MemoryStorage)limiter.Storage).Count);
    }

    [Fact]
    public void Key_Null_IsArgumentNullException()
    {
        var limiter = Create();
        Assert.Throws<ArgumentNullException>(() => limiter.TryAcquireAsync(null!));
        Assert.Throws<ArgumentException>(() => limiter.TryAcquireAsync(string.Empty));
    }

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public async Task Tokens_NotPositiveFinite_Throws(double tokens)
    {
        var limiter = Create();
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquireAsync("k", tokens)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquireAsync("k", tokens)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AcquireAsync("k", tokens)).ParamName);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => limiter.ReleaseAsync("k", tokens)).ParamName);

        // Nothing was taken.
        Assert.Equal(5, (await limiter.GetStatsAsync("k")).AvailableTokens);
    }

    [Fact]
    public async Task Tokens_AboveBurst_ThrowsSayingItCanNeverSucceed()
    {
        var limiter = Create(rate: 5, burst: 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquireAsync("k", 3.5));
        Assert.Equal("tokens", ex.ParamName);
        Assert.Contains("never succeed", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AcquireAsync("k", 4, Timeout.InfiniteTimeSpan));
        Assert.Equal("tokens", ex.ParamName);
        Assert.Contains("never succeed", ex.Message, StringComparison.Ordinal);

        // Exactly the burst is fine.
        Assert.True(await limiter.TryAcquireAsync("k", 3));
    }

    [Fact]
    public void Release_AboveBurst_IsAllowed()
    {
        var limiter = Create(rate: 5, burst: 3);
        Assert.True(limiter.ReleaseAsync("k", 10).IsCompletedSuccessfully);
    }

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void Constructor_BadRate_Throws(double value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(value));
        Assert.Equal("rate", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void Constructor_BadPer_Throws(double value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(1, value));
        Assert.Equal("per", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void Constructor_BadBurst_Throws(double value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucketLimiter(1, 1, value));
        Assert.Equal("burst", ex.ParamName);
    }

    [Fact]
    public void Constructor_EmptyOrNullScope_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TokenBucketLimiter(1, scope: string.Empty));
        Assert.Equal("scope", ex.ParamName);
        var nullEx = Assert.Throws<ArgumentNullException>(() => new TokenBucketLimiter(1, scope: null!));
        Assert.Equal("scope", nullEx.ParamName);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-9_999L)]
    [InlineData(-10_001L)]
    [InlineData(long.MinValue)]
    public void MaxWait_Negative_Throws(long ticks)
    {
        var limiter = Create();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AcquireAsync("k", 1, TimeSpan.FromTicks(ticks)));
        Assert.Equal("maxWait", ex.ParamName);
        Assert.Equal(0, ((MemoryStorage)limiter.Storage).Count);
    }

    [Fact]
    public void MaxWait_Infinite_IsAccepted()
    {
        // Timeout.InfiniteTimeSpan is -1 ms: the one negative value allowed.
        var limiter = Create();
        Assert.True(limiter.AcquireAsync("k", 1, Timeout.InfiniteTimeSpan).IsCompletedSuccessfully);
        Assert.True(limiter.AcquireAsync("k", 1, TimeSpan.FromMilliseconds(-1)).IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void MemoryStorage_MaxSizeBelowOne_Throws(int maxSize)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryStorage(maxSize));
        Assert.Equal("maxSize", ex.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Options_MaxKeysBelowOne_Throws(int maxKeys)
    {
        var options = new ThrottleRuntimeOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxKeys = maxKeys);
        Assert.Equal(MemoryStorage.DefaultMaxSize, options.MaxKeys);
    }

    [Fact]
    public void Options_MaxKeys_SizesDefaultStorage()
    {
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions { MaxKeys = 7 });
        Assert.Equal(7, ((MemoryStorage)runtime.Storage).MaxSize);
    }
}
