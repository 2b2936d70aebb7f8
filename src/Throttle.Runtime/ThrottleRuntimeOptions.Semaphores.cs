using StackExchange.Redis;

namespace Throttle;

/// <summary>Settings of a <see cref="ThrottleRuntime"/>: the Redis connection.</summary>
public sealed partial class ThrottleRuntimeOptions
{
    /// <summary>
    /// The Redis connection the runtime's distributed features use (such as <c>[DistributedSemaphore]</c>); null (the
    /// default) keeps them in process. The runtime does not dispose it.
    /// </summary>
    public IConnectionMultiplexer? Redis { get; set; }
}
