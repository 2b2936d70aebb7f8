using System;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using Throttle.Semaphores;
using Xunit;

namespace Throttle.Tests.Semaphores;

/// <summary>
/// A semaphore counts its users (acquires in progress and leases held) to know when it is idle; a count gone negative
/// makes it look retired, and every later acquire fails with <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class SemaphoreUserCountTests
{
    [Fact]
    public async Task An_acquire_completing_between_two_status_reads_keeps_its_user_count_with_its_lease()
    {
        var semaphore = new InProcessSemaphore("k", 2);
        var first = await semaphore.AcquireAsync();
        var second = await semaphore.AcquireAsync();

        // The second acquire, seen as pending by a first read of its status and completed by the next: a Redis answer
        // arriving on another thread between the two reads (the peers run's crash, 'peers:uncontended' was disposed).
        var settled = semaphore.HoldUser(new ValueTask<SemaphoreLease>(new CompletingBetweenReads(second), 0));
        Assert.Same(second, await settled);

        await first.ReleaseAsync();
        await second.ReleaseAsync();
        Assert.False(semaphore.IsRetired);
        await (await semaphore.AcquireAsync(TimeSpan.Zero, default)).ReleaseAsync();
        Assert.True(semaphore.TryRetire()); // idle: exactly no user left
    }

    /// <summary>Pending at the first status read, succeeded from the second on.</summary>
    private sealed class CompletingBetweenReads(SemaphoreLease lease) : IValueTaskSource<SemaphoreLease>
    {
        private int _reads;

        public ValueTaskSourceStatus GetStatus(short token) =>
            ++_reads == 1 ? ValueTaskSourceStatus.Pending : ValueTaskSourceStatus.Succeeded;

        public SemaphoreLease GetResult(short token) => lease;

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            continuation(state);
    }
}
