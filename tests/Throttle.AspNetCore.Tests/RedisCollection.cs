using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.AspNetCore.Tests;

/// <summary>The "redis" collection: its tests share one <see cref="RedisFixture"/> (and the process-wide Redis server).</summary>
[CollectionDefinition(RedisFixture.CollectionName)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
}

/// <summary>Tests that measure the process (thread pool, latency): run alone, so no other test's work is counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "measured";
}
