using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Coordination;
using Throttle.Storage;

namespace Throttle.Tests.Coordination;

/// <summary>
/// A backend that fails like an unreachable Redis while <see cref="Unreachable"/> is set, and with an error of the
/// server's own (BUSY, OOM, READONLY: what a backend passes on as it is) while <see cref="ServerError"/> is set.
/// </summary>
internal sealed class FlakyBackend(LeadershipBackend inner) : LeadershipBackend
{
    public volatile bool Unreachable;

    public volatile Exception? ServerError;

    public override ValueTask<LeaseAttempt> TryAcquireAsync(string holderId, TimeSpan ttl, CancellationToken cancellationToken) =>
        ServerError is { } error ? throw error : Unreachable ? throw Failure() : inner.TryAcquireAsync(holderId, ttl, cancellationToken);

    public override ValueTask<LeaseAnswer> RenewAsync(string holderId, long token, TimeSpan ttl, CancellationToken cancellationToken) =>
        ServerError is { } error ? throw error : Unreachable ? throw Failure() : inner.RenewAsync(holderId, token, ttl, cancellationToken);

    public override ValueTask<LeaseAnswer> ReleaseAsync(string holderId, long token, CancellationToken cancellationToken) =>
        Unreachable ? throw Failure() : inner.ReleaseAsync(holderId, token, cancellationToken);

    public override ValueTask SubscribeAsync(Action onReleased, CancellationToken cancellationToken) => inner.SubscribeAsync(onReleased, cancellationToken);

    public override ValueTask UnsubscribeAsync(Action onReleased) => inner.UnsubscribeAsync(onReleased);

    private static ThrottleStorageException Failure() => new("Redis at test:0 could not be reached (simulated).");
}
