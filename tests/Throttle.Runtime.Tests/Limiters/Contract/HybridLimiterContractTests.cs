using System;
using System.Threading.Tasks;
using Throttle.Tests.Storage.Redis;
using Throttle.Storage;
using Throttle.Storage.Hybrid;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Limiters.Contract;

/// <summary>
/// The limiter contract on <see cref="HybridStorage"/>: admission is decided in Redis, so the L1 cache must not make
/// any limiter less exact. Needs Redis: without one these fail with the fixture's reason.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class HybridLimiterContractTests(RedisFixture redis) : LimiterContractTests
{
    protected override bool SupportsFakeTime => false;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) =>
        new(new HybridStorage(redis.CreateStorage(redis.StoragePrefix("contract-" + Guid.NewGuid().ToString("N"))), l1Size: 1_000));
}
