using Xunit;

namespace Throttle.Testing.Redis;

/// <summary>The <see cref="TheoryAttribute"/> counterpart of <see cref="RedisClusterFactAttribute"/>.</summary>
public sealed class RedisClusterTheoryAttribute : TheoryAttribute
{
    private string? _skip;

    /// <summary>An explicit skip reason if one was set, else the reason a cluster cannot be started, else <see langword="null"/>.</summary>
    public override string? Skip
    {
        get => _skip ?? RedisCluster.GetSkipReason();
        set => _skip = value;
    }
}
