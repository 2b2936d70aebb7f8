using System;
using System.Threading.Tasks;
using Throttle.Tests.Storage.Redis;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Limiters.Contract;

/// <summary>
/// The leaky bucket contract on <see cref="Storage.Redis.RedisStorage"/> against a real redis-server: the schedule is
/// kept on the server's clock, and start times are measured on it. Without Redis these fail with the fixture's reason.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisLeakyBucketContractTests(RedisFixture redis) : LeakyBucketContractTests
{
    protected override bool SupportsFakeTime => false;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) =>
        new(redis.CreateStorage(redis.StoragePrefix("leaky-" + Guid.NewGuid().ToString("N"))));

    protected override Task<double> NowAsync() => redis.Database.ServerSecondsAsync();
}
