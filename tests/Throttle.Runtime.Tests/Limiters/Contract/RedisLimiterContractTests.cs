using System;
using System.Threading.Tasks;
using Throttle.Tests.Storage.Redis;
using Throttle.Storage;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Limiters.Contract;

/// <summary>
/// The limiter contract on <see cref="Storage.Redis.RedisStorage"/> against a real redis-server. Decisions use the
/// server's clock, so timing tests wait real time. Needs Redis: without one these fail with the fixture's reason.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisLimiterContractTests(RedisFixture redis) : LimiterContractTests
{
    protected override bool SupportsFakeTime => false;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) =>
        new(redis.CreateStorage(redis.StoragePrefix("contract-" + Guid.NewGuid().ToString("N"))));
}
