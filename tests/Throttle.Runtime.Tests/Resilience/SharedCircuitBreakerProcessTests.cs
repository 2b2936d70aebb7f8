using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Resilience;

/// <summary>
/// Three OS processes (tests/Throttle.Breaker.Worker: a generated <c>[CircuitBreaker(Shared = true)]</c>, threshold 3,
/// break 2 s) on one real redis-server; the same scenario runs on the cluster in
/// <c>Cluster/ClusterSharedBreakerProcessTests</c>.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class SharedCircuitBreakerProcessTests(RedisFixture redis, ITestOutputHelper output)
{
    [RedisFact]
    public Task Failures_in_one_process_open_all_three_one_trial_runs_across_them_and_its_success_closes_all() =>
        SharedBreakerProcessScenario.RunAsync(redis.Endpoint, redis.KeyPrefix(), "Standalone 1", output);
}
