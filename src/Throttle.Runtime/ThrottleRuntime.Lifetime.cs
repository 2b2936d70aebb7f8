using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;

namespace Throttle;

/// <summary>
/// The runtime's life cycle: what a host starts with it, stops on shutdown and disposes with it. A host calls
/// <see cref="StartAsync"/> when it starts and <see cref="StopAsync"/> when it stops (Throttle.Hosting's hosted service
/// does); the runtime's background parts (queue workers) start and stop here, so every host runs them the same way.
/// Schedulers and leader election have their own hosted services (Throttle.Hosting's <c>AddSchedule</c>, <c>AddLeaderElection</c>).
/// </summary>
public sealed partial class ThrottleRuntime : IAsyncDisposable, IDisposable
{
    private readonly object _lifetimeGate = new();
    private Task? _disposing;

    /// <summary>
    /// Starts the runtime's background work: the workers of every registered queue (<see cref="RegisterQueue"/>), so
    /// they run from start-up rather than from their first call. A method's own queue still starts on its first call.
    /// Calling it again starts the queues registered since.
    /// </summary>
    /// <param name="cancellationToken">Checked before each queue starts.</param>
    /// <returns>A task that completes when the workers have started.</returns>
    /// <exception cref="ObjectDisposedException">The runtime has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The runtime's queues have been stopped (<see cref="StopAsync"/>).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposing) is not null, this);
        if (_queuesStopped)
        {
            throw new InvalidOperationException("The runtime's queues have been stopped; a stopped runtime cannot be started again.");
        }

        foreach (var queue in _namedQueues.Values)
        {
            await queue.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the runtime's background work for a shutdown: every queue, as <see cref="StopQueuesAsync"/> does. With
    /// <see cref="QueueStopMode.Drain"/> the waiting calls run until <paramref name="cancellationToken"/> (a host's
    /// shutdown timeout) cancels; then, and with <see cref="QueueStopMode.HandBack"/> at once, they fail with
    /// <see cref="QueueStoppedException"/>. No call is lost and none runs twice. Limiters, breakers and semaphores keep
    /// working until the runtime is disposed.
    /// </summary>
    /// <param name="mode">Run the waiting calls first, or fail them.</param>
    /// <param name="cancellationToken">Ends the drain.</param>
    /// <returns>How many waiting calls were failed rather than run.</returns>
    public Task<int> StopAsync(QueueStopMode mode = QueueStopMode.Drain, CancellationToken cancellationToken = default) =>
        StopQueuesAsync(mode, cancellationToken);

    /// <summary>
    /// Stops the runtime (its queues drain, see <see cref="StopAsync"/>, unless already stopped) and disposes what it
    /// created: the storage of <see cref="ThrottleRuntimeOptions.UseRedis(StackExchange.Redis.IConnectionMultiplexer, Storage.Redis.RedisStorageOptions?)"/>
    /// (whose connection, given by you, stays open), the connection of
    /// <see cref="ThrottleRuntimeOptions.ConnectRedis"/>, the default in-memory
    /// storage, and its <c>Throttle</c> meter when no <see cref="ThrottleRuntimeOptions.MeterFactory"/> made it. A storage
    /// given in <see cref="ThrottleRuntimeOptions.Storage"/> is yours and stays open. Calling it again
    /// returns the first call's task.
    /// </summary>
    /// <returns>A task that completes when everything is stopped and closed.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_lifetimeGate)
        {
            _disposing ??= DisposeCoreAsync();
            return new ValueTask(_disposing);
        }
    }

    /// <summary>Does what <see cref="DisposeAsync"/> does, blocking until it is done (for containers disposed synchronously).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task DisposeCoreAsync()
    {
        // A host has usually stopped the queues already (StopAsync with its shutdown token): this then returns its result.
        await StopQueuesAsync(QueueStopMode.Drain).ConfigureAwait(false);
        await DisposeSharedCircuitBreakersAsync().ConfigureAwait(false);
        if (_ownsStorage)
        {
            await Storage.DisposeAsync().ConfigureAwait(false);
        }

        // Last: the meter (when the runtime made it) and the stats listener outlive everything that reports to them.
        Telemetry.Dispose();
    }
}
