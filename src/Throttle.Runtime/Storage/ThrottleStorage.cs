using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters.Backends;

namespace Throttle.Storage;

/// <summary>
/// Where limiters keep their state, and a small key/value store with the operations of README.md, "Storage" (get, set with a TTL,
/// increment, decrement, delete, exists). Throttle ships three: <see cref="MemoryStorage"/>, a Redis storage and a
/// hybrid of the two.
/// </summary>
/// <remarks>
/// The set of storages is closed: each one also supplies the limiter algorithms that run on it (in-process state for
/// memory, Lua scripts for Redis), which is why this class cannot be derived from outside Throttle.
/// </remarks>
public abstract class ThrottleStorage : IAsyncDisposable, IDisposable
{
    private protected ThrottleStorage(TimeProvider? timeProvider)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the clock used for waiting and, on in-process storage, for the limiters' arithmetic.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the value stored under <paramref name="key"/>, or <see langword="null"/> when absent or expired.</summary>
    /// <param name="key">The key; not null or empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public abstract ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing any value and TTL it had.</summary>
    /// <param name="key">The key; not null or empty.</param>
    /// <param name="value">The value; not null.</param>
    /// <param name="ttl">How long the value lives; <see langword="null"/> for no expiry. Must be positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    public abstract ValueTask SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="delta"/> to the number stored under <paramref name="key"/> (absent counts as 0).</summary>
    /// <param name="key">The key; not null or empty.</param>
    /// <param name="delta">The finite amount to add.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not finite (NaN or infinity).</exception>
    /// <exception cref="OverflowException">The result would not be finite (beyond ±<see cref="double.MaxValue"/>); the stored value is unchanged.</exception>
    public abstract ValueTask<double> IncrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default);

    /// <summary>Subtracts <paramref name="delta"/> from the number stored under <paramref name="key"/> (absent counts as 0).</summary>
    /// <param name="key">The key; not null or empty.</param>
    /// <param name="delta">The finite amount to subtract.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not finite (NaN or infinity).</exception>
    /// <exception cref="OverflowException">The result would not be finite (beyond ±<see cref="double.MaxValue"/>); the stored value is unchanged.</exception>
    public abstract ValueTask<double> DecrementAsync(string key, double delta = 1, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <param name="key">The key; not null or empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when a value was removed.</returns>
    public abstract ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Tells whether a live value is stored under <paramref name="key"/>.</summary>
    /// <param name="key">The key; not null or empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the key holds an unexpired value.</returns>
    public abstract ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases connections the storage owns (operations then throw <see cref="ObjectDisposedException"/>, as do those
    /// still in flight on a connection it closed). In-process storage has nothing to release.
    /// </summary>
    /// <returns>A task that completes when the storage is closed.</returns>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }

    /// <summary>Does what <see cref="DisposeAsync"/> does, blocking the thread until it is done.</summary>
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        var disposing = DisposeAsync();
        if (!disposing.IsCompletedSuccessfully)
        {
            disposing.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Creates the state holder for one limiter (one algorithm, one scope) on this storage.</summary>
    internal abstract ILimiterBackend CreateLimiterBackend(LimiterDefinition definition);

    /// <summary>The settings each limiter scope of this storage is used with; implementations claim in <see cref="CreateLimiterBackend"/>.</summary>
    internal SharedSettingsRegistry<LimiterDefinition> LimiterScopes { get; } = SharedSettings.ForLimiterScopes();
}
