using Xunit;

namespace Throttle.Testing.Redis;

/// <summary>
/// A <see cref="FactAttribute"/> for tests that need Redis: skipped with the reason when Redis is unavailable,
/// run (and so failed by the fixture) instead when <c>THROTTLE_REQUIRE_REDIS=1</c>.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    private string? _skip;

    /// <summary>Whether the test starts a server of its own (<see cref="RedisServer.StartDedicatedAsync"/>), which needs Docker or redis-server.</summary>
    public bool RequiresDedicatedServer { get; set; }

    /// <summary>An explicit skip reason if one was set, else the reason Redis is unavailable, else <see langword="null"/>.</summary>
    public override string? Skip
    {
        get => _skip ?? RedisAvailability.GetSkipReason(RequiresDedicatedServer);
        set => _skip = value;
    }
}
