using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Semaphores;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Faults;

/// <summary>
/// A bounded semaphore of value 3 with two slots held before the fault. Whatever the storage's failure policy, a
/// semaphore never grants without Redis: while Redis is out an acquire and a release fail with
/// <see cref="ThrottleStorageException"/> within the bound. After a wipe the held leases are lost (their
/// <see cref="SemaphoreLease.LeaseLost"/> cancelled within one renewal period plus the timeout) and the slots are
/// free again; when Redis kept its state they stay valid. Never more valid leases than the value.
/// </summary>
internal sealed class SemaphoreFaultSubject(RedisStorage storage, TimeSpan leaseTime) : IFaultSubject
{
    private const int Value = 3;
    private readonly DistributedBoundedSemaphore _semaphore = new(storage, "sem", null, Value, TimeSpan.FromMilliseconds(50), leaseTime, null);
    private readonly List<SemaphoreLease> _held = [];
    private SemaphoreLease? _spare;

    public string Name => $"semaphore, {storage.Options.FailureMode}";

    public async Task PrepareAsync()
    {
        _held.Add(await _semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None));
        _held.Add(await _semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None));
        _spare = await _semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None);
    }

    public async Task DuringOutageAsync(FaultBounds bounds)
    {
        var clock = Stopwatch.StartNew();
        var acquire = await Assert.ThrowsAsync<ThrottleStorageException>(() => _semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None).AsTask());
        Assert.Equal(storage.Endpoint, acquire.Endpoint);
        Assert.True(clock.Elapsed < bounds.CallerLatency, $"{Name}: acquire took {clock.Elapsed}; bound {bounds.CallerLatency}.");

        // Release: a storage error, or lease lost when the outage already outlasted the lease (both documented),
        // never a raw client exception.
        clock.Restart();
        var release = await Record.ExceptionAsync(() => _spare!.ReleaseAsync().AsTask());
        Assert.True(
            release is ThrottleStorageException || (release is SemaphoreLeaseLostException && _spare!.IsLost),
            $"{Name}: release during the outage failed with {release?.GetType().Name ?? "nothing"}: {release?.Message}");
        Assert.True(clock.Elapsed < bounds.CallerLatency, $"{Name}: release took {clock.Elapsed}; bound {bounds.CallerLatency}.");
    }

    public async Task AfterAsync(RedisFault fault, FaultBounds bounds)
    {
        if (fault.WipesState())
        {
            // Lost leases learn it at their next renewal: within a third of the lease plus the timeout (slack for load).
            var window = (leaseTime / 3) + bounds.CallerLatency;
            var tokens = _held.Select(lease => lease.LeaseLost).ToArray();
            using var waited = new CancellationTokenSource(window + leaseTime);
            var clock = Stopwatch.StartNew();
            while (!_held.All(lease => lease.IsLost))
            {
                await Task.Delay(20, waited.Token);
            }

            Assert.All(tokens, token => Assert.True(token.IsCancellationRequested));
            Assert.True(clock.Elapsed < window + leaseTime, $"{Name}: leases were marked lost after {clock.Elapsed}.");
        }
        else
        {
            Assert.All(_held, lease => Assert.False(lease.IsLost, $"{Name}: a lease was lost though Redis kept it."));
        }

        // Recovery, and the invariant: valid leases (old ones not lost, plus new ones) never above the value.
        var fresh = await FaultRecovery.EventuallyAsync(TakeAllFreeAsync);
        var valid = _held.Append(_spare!).Count(lease => !lease.IsLost && !lease.IsReleased) + fresh.Count;
        Assert.InRange(valid, 1, Value);
        if (fault.WipesState())
        {
            Assert.Equal(Value, fresh.Count); // every slot came back, none invented
        }

        foreach (var lease in fresh.Concat(_held).Append(_spare!))
        {
            await lease.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => _semaphore.DisposeAsync();

    private async Task<List<SemaphoreLease>> TakeAllFreeAsync()
    {
        var taken = new List<SemaphoreLease>();
        try
        {
            while (taken.Count <= Value)
            {
                taken.Add(await _semaphore.AcquireAsync(TimeSpan.Zero, CancellationToken.None));
            }
        }
        catch (SemaphoreTimeoutException)
        {
        }
        catch
        {
            foreach (var lease in taken)
            {
                await lease.DisposeAsync();
            }

            throw;
        }

        return taken;
    }
}
