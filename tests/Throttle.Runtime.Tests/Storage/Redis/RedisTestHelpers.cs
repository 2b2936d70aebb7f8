using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters.Backends;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

/// <summary>Shared set-up for the Redis storage tests: storages under a per-test key prefix, backends, the server clock.</summary>
internal static class RedisTestHelpers
{
    /// <summary>A key prefix of the test's own, usable as <see cref="RedisStorageOptions.KeyPrefix"/>.</summary>
    public static string StoragePrefix(this RedisFixture redis, string testName) => redis.KeyPrefix(testName).TrimEnd(':');

    public static RedisStorage CreateStorage(this RedisFixture redis, string prefix, Action<RedisStorageOptions>? configure = null)
    {
        var options = new RedisStorageOptions { KeyPrefix = prefix, OperationTimeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        return new RedisStorage(redis.Connection, options);
    }

    public static ILimiterBackend Backend(
        this Throttle.Storage.ThrottleStorage storage, LimiterAlgorithm algorithm, string scope, double capacity, double perSecond, TimeSpan window = default) =>
        storage.CreateLimiterBackend(new LimiterDefinition(
            algorithm, scope, capacity, perSecond, algorithm == LimiterAlgorithm.SlidingWindow && window == default ? TimeSpan.FromSeconds(capacity / perSecond) : window));

    /// <summary>Asserts that each of <paramref name="count"/> one-token acquisitions of <paramref name="key"/> is granted.</summary>
    public static async Task GrantAllAsync(this ILimiterBackend backend, string key, LimiterRate rate, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True((await backend.TryAcquireAsync(key, 1, rate, CancellationToken.None)).IsAcquired, $"acquisition {i + 1} of {count}");
        }
    }

    /// <summary>The Redis server's clock in seconds: what the limiter scripts use.</summary>
    public static async Task<double> ServerSecondsAsync(this IDatabase database)
    {
        var time = (RedisResult[])(await database.ExecuteAsync("TIME"))!;
        return long.Parse((string)time[0]!, CultureInfo.InvariantCulture) + (long.Parse((string)time[1]!, CultureInfo.InvariantCulture) / 1e6);
    }

    /// <summary>All keys under a prefix (SCAN), with their remaining time to live in milliseconds.</summary>
    public static async Task<(string Key, long Pttl)[]> KeysWithTtlAsync(this IConnectionMultiplexer connection, string prefix)
    {
        var server = connection.GetServers().First();
        var database = connection.GetDatabase();
        var keys = server.Keys(pattern: prefix.Replace("[", "\\[", StringComparison.Ordinal) + "*", pageSize: 1000).Select(k => (string)k!).ToArray();
        var result = new (string, long)[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            result[i] = (keys[i], (long)await database.ExecuteAsync("PTTL", keys[i]));
        }

        return result;
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
