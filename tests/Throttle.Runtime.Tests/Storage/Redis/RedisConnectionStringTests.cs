using System;
using System.Threading.Tasks;
using Throttle.Storage.Hybrid;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisConnectionStringTests(RedisFixture redis)
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("localhost:6379,nosuchoption=1")]
    [InlineData("localhost:notaport")]
    [InlineData("redis://")]
    [InlineData("redis://localhost/notadb")]
    [InlineData(",abortConnect=false")]
    public void A_malformed_connection_string_is_an_argument_error_naming_the_parameter(string connectionString)
    {
        Assert.Equal("connectionString", Assert.ThrowsAny<ArgumentException>(() => new RedisStorage(connectionString)).ParamName);
    }

    [Fact]
    public void A_null_connection_string_or_connection_is_an_argument_error()
    {
        Assert.Equal("connectionString", Assert.ThrowsAny<ArgumentException>(() => new RedisStorage((string)null!)).ParamName);
        Assert.Equal("connection", Assert.Throws<ArgumentNullException>(() => new RedisStorage((StackExchange.Redis.IConnectionMultiplexer)null!)).ParamName);
        Assert.Equal("redis", Assert.Throws<ArgumentNullException>(() => new HybridStorage((RedisStorage)null!, 10)).ParamName);
    }

    [Fact]
    public void Bad_options_are_argument_errors_naming_the_property()
    {
        var options = new RedisStorageOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.OperationTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.OperationTimeout = TimeSpan.FromDays(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.FailClosedRetryAfter = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.FailureMode = (Throttle.Storage.StorageFailureMode)42);
        Assert.ThrowsAny<ArgumentException>(() => options.KeyPrefix = "");
        Assert.ThrowsAny<ArgumentException>(() => options.KeyPrefix = "a{b");
    }

    [RedisTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_string_or_a_redis_url_connects(bool url)
    {
        var connectionString = url ? "redis://" + redis.Endpoint + "/0" : redis.Endpoint + ",connectRetry=2";
        await using var storage = new RedisStorage(connectionString, new RedisStorageOptions { KeyPrefix = redis.StoragePrefix(nameof(A_connection_string_or_a_redis_url_connects)) });

        await storage.SetAsync("k", "v", TimeSpan.FromMinutes(1));
        Assert.Equal("v", await storage.GetAsync("k"));
        Assert.Equal(redis.Endpoint, storage.Endpoint);
    }
}
