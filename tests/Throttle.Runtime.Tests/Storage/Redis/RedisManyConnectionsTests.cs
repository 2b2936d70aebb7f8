using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters.Backends;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisManyConnectionsTests(RedisFixture redis)
{
    [RedisTheory]
    [InlineData(nameof(LimiterAlgorithm.TokenBucket))]
    [InlineData(nameof(LimiterAlgorithm.SlidingWindow))]
    public async Task Several_connection_multiplexers_hammering_one_key_stay_within_the_limit(string algorithmName)
    {
        var algorithm = Enum.Parse<LimiterAlgorithm>(algorithmName);
        var prefix = redis.StoragePrefix(nameof(Several_connection_multiplexers_hammering_one_key_stay_within_the_limit));
        var connections = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => redis.ConnectAsync()));
        try
        {
            var rate = new LimiterRate(Capacity: 25, PerSecond: 25);
            var window = TimeSpan.FromSeconds(1);
            var storages = connections.Select(c => new RedisStorage(c, new RedisStorageOptions { KeyPrefix = prefix, OperationTimeout = TimeSpan.FromSeconds(10) })).ToArray();
            var backends = storages.Select(s => s.Backend(algorithm, "api", rate.Capacity, rate.PerSecond, window)).ToArray();

            var start = await redis.Database.ServerSecondsAsync();
            var granted = 0;
            await Task.WhenAll(backends.SelectMany(backend => Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    if ((await backend.TryAcquireAsync("shared", 1, rate, CancellationToken.None)).IsAcquired)
                    {
                        Interlocked.Increment(ref granted);
                    }
                }
            }))));
            var elapsed = await redis.Database.ServerSecondsAsync() - start;

            var limit = algorithm == LimiterAlgorithm.SlidingWindow
                ? 25 * (1 + (int)Math.Floor(elapsed / window.TotalSeconds))
                : 25 + (int)Math.Floor(25 * elapsed);
            Assert.InRange(granted, 25, limit);

            foreach (var storage in storages)
            {
                await storage.DisposeAsync();
            }

            // Not owned: the storages leave the connections open.
            Assert.All(connections, c => Assert.True(c.IsConnected));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
