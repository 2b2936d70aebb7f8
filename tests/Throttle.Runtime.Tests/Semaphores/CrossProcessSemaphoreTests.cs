using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Semaphores;

[Collection(RedisFixture.CollectionName)]
public sealed class CrossProcessSemaphoreTests(RedisFixture redis)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(120);

    [RedisFact]
    public async Task Three_processes_of_ten_tasks_never_exceed_a_value_of_three()
    {
        const int Processes = 3;
        const int Tasks = 10;
        const int Iterations = 4;
        var prefix = redis.KeyPrefix();
        var key = prefix + "sem";
        var counter = prefix + "inside";
        var max = prefix + "max-inside";

        var workers = Enumerable.Range(0, Processes).Select(_ => SemaphoreWorker.Start(
            "contend", redis.Endpoint, key, "3", Text(Tasks), Text(Iterations), counter, max, "10000")).ToArray();
        try
        {
            foreach (var worker in workers)
            {
                await worker.WaitForExitAsync(Guard);
                Assert.True(worker.ExitCode == 0, worker.Output);
                Assert.Contains("DONE " + Text(Tasks * Iterations), worker.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }

        // The independent counter, incremented inside the critical section, peaked at 3 at most and is back to 0.
        var peak = (int)await redis.Database.StringGetAsync(max);
        Assert.InRange(peak, 1, 3);
        Assert.Equal(0, (int)await redis.Database.StringGetAsync(counter));
        Assert.Equal(0, await redis.Database.SortedSetLengthAsync(new Throttle.Storage.Redis.RedisKeys("throttle").Semaphore(key, null).Holders));
    }

    [RedisFact]
    public async Task A_killed_holder_s_slot_is_acquirable_again_within_the_lease_time()
    {
        var key = redis.KeyPrefix() + "sem";
        var lease = TimeSpan.FromSeconds(3);
        await using var semaphore = new DistributedBoundedSemaphore(redis.Connection, key, 1, TimeSpan.FromSeconds(30), leaseTime: lease);
        using var holder = SemaphoreWorker.Start("hold", redis.Endpoint, key, "1", Text((int)lease.TotalMilliseconds));
        await holder.Acquired.WaitAsync(Guard);
        await Assert.ThrowsAsync<SemaphoreTimeoutException>(() => semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());

        holder.Kill();

        // Bounded by the lease time (plus a second for process teardown and scheduling on a busy machine).
        await using var taken = await semaphore.AcquireAsync(lease + TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.False(taken.IsLost);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
