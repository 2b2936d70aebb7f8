using Xunit;

namespace Throttle.Testing.Redis;

/// <summary>
/// A <see cref="FactAttribute"/> for tests on <see cref="RedisCluster"/>: skipped with the reason when redis-server or
/// redis-cli is missing, run (and so failed by the fixture) instead when <c>THROTTLE_REQUIRE_REDIS=1</c>.
/// </summary>
public sealed class RedisClusterFactAttribute : FactAttribute
{
    private string? _skip;

    /// <summary>An explicit skip reason if one was set, else the reason a cluster cannot be started, else <see langword="null"/>.</summary>
    public override string? Skip
    {
        get => _skip ?? RedisCluster.GetSkipReason();
        set => _skip = value;
    }
}
