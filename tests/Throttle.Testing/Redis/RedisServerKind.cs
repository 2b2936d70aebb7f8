namespace Throttle.Testing.Redis;

/// <summary>Where a <see cref="RedisServer"/> comes from.</summary>
public enum RedisServerKind
{
    /// <summary>A server named by <c>THROTTLE_REDIS</c>, used as-is: never started or stopped by the tests.</summary>
    External,

    /// <summary>A Docker container started through Testcontainers.Redis.</summary>
    Container,

    /// <summary>A <c>redis-server</c> child process on a free loopback port.</summary>
    LocalProcess,
}
