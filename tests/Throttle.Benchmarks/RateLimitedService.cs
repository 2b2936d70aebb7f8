using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Throttle;

namespace Throttle.Benchmarks;

/// <summary>
/// The methods under test. Every <c>[RateLimit]</c> has a rate so large (10^12 per second, burst the same) that a
/// permit is always available: the benchmarks measure the wrapper's fast path, never a wait. The implementation
/// methods return constants / already-completed tasks so that only the wrapper's own cost is left.
/// </summary>
public sealed partial class RateLimitedService
{
    internal const double HugeRate = 1e12;

    private static readonly Task<int> CompletedTask = Task.FromResult(42);

    // ---- Direct calls (no rate limit): the floor. NoInlining so the call itself is not optimised away. ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Direct() => 42;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask<int> DirectValueTaskAsync() => new(42);

    // ---- Generated wrappers. ----

    [RateLimit(HugeRate, Per = 1)]
    public partial int GetSync();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int GetSyncCore() => 42;

    [RateLimit(HugeRate, Per = 1)]
    public partial Task<int> GetTaskAsync();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<int> GetTaskCoreAsync() => CompletedTask;

    [RateLimit(HugeRate, Per = 1)]
    public partial ValueTask<int> GetValueTaskAsync();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<int> GetValueTaskCoreAsync() => new(42);

    [RateLimit(HugeRate, Per = 1, Key = nameof(userId))]
    public partial int GetForUser(string userId);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int GetForUserCore(string userId) => userId.Length;

    // ---- Other layers, same call style (state + static callback into the runtime's site). ----

    // In process (no Redis): the slot is always free; the lease object is the semaphore's own cost.
    [DistributedSemaphore("bench-semaphore", 1_000_000, AcquireTimeoutSeconds = 10)]
    public partial ValueTask<int> GetGuardedAsync();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<int> GetGuardedCoreAsync() => new(42);

    // Every layer but the queue (which always hops to a worker): breaker and retry, rate limit, semaphore.
    [CircuitBreaker]
    [Retry]
    [RateLimit(HugeRate, Per = 1)]
    [DistributedSemaphore("bench-stacked", 1_000_000, AcquireTimeoutSeconds = 10)]
    public partial ValueTask<int> GetStackedAsync();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<int> GetStackedCoreAsync() => new(42);
}
