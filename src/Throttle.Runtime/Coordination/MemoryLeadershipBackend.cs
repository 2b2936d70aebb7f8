using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Storage;

namespace Throttle.Coordination;

/// <summary>
/// A leadership within one process: the leases of the coordinators made on the same storage (one board per storage),
/// timed by the storage's clock. Same rules as on Redis: set if absent, compare and extend, compare and delete, a
/// fencing token that only grows.
/// </summary>
internal sealed class MemoryLeadershipBackend : LeadershipBackend
{
    private static readonly ConditionalWeakTable<ThrottleStorage, Board> s_boards = new();

    private readonly Board _board;
    private readonly string _lockName;
    private readonly TimeProvider _clock;

    public MemoryLeadershipBackend(ThrottleStorage storage, string lockName)
    {
        _board = s_boards.GetValue(storage, static _ => new Board());
        _lockName = lockName;
        _clock = storage.TimeProvider;
    }

    public override ValueTask<LeaseAttempt> TryAcquireAsync(string holderId, TimeSpan ttl, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_board)
        {
            var lease = Lease();
            var now = _clock.GetTimestamp();
            if (lease.HolderId is not null && lease.HolderId != holderId && now < lease.ExpiresAt)
            {
                return new(new LeaseAttempt(false, 0, Micros(), _clock.GetElapsedTime(now, lease.ExpiresAt)));
            }

            lease.HolderId = holderId;
            lease.Token = ++lease.LastToken;
            lease.ExpiresAt = now + Ticks(ttl);
            return new(new LeaseAttempt(true, lease.Token, Micros(), TimeSpan.Zero));
        }
    }

    public override ValueTask<LeaseAnswer> RenewAsync(string holderId, long token, TimeSpan ttl, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_board)
        {
            var lease = Lease();
            var now = _clock.GetTimestamp();
            var ours = IsTerm(lease, holderId, token, now);
            if (ours)
            {
                lease.ExpiresAt = now + Ticks(ttl);
            }

            return new(new LeaseAnswer(ours, Micros()));
        }
    }

    public override ValueTask<LeaseAnswer> ReleaseAsync(string holderId, long token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Action[] listeners;
        lock (_board)
        {
            var lease = Lease();
            if (!IsTerm(lease, holderId, token, _clock.GetTimestamp()))
            {
                return new(new LeaseAnswer(false, Micros()));
            }

            lease.HolderId = null;
            listeners = [.. lease.Listeners];
        }

        foreach (var listener in listeners)
        {
            listener();
        }

        return new(new LeaseAnswer(true, Micros()));
    }

    public override ValueTask SubscribeAsync(Action onReleased, CancellationToken cancellationToken)
    {
        lock (_board)
        {
            Lease().Listeners.Add(onReleased);
        }

        return default;
    }

    public override ValueTask UnsubscribeAsync(Action onReleased)
    {
        lock (_board)
        {
            Lease().Listeners.Remove(onReleased);
        }

        return default;
    }

    private static bool IsTerm(LeaseState lease, string holderId, long token, long now) =>
        lease.HolderId == holderId && lease.Token == token && now < lease.ExpiresAt;

    private LeaseState Lease()
    {
        if (!_board.Leases.TryGetValue(_lockName, out var lease))
        {
            lease = new LeaseState();
            _board.Leases.Add(_lockName, lease);
        }

        return lease;
    }

    private long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * _clock.TimestampFrequency);

    private long Micros() => (_clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;

    private sealed class Board
    {
        public Dictionary<string, LeaseState> Leases { get; } = new(StringComparer.Ordinal);
    }

    private sealed class LeaseState
    {
        public string? HolderId { get; set; }

        public long Token { get; set; }

        public long LastToken { get; set; }

        public long ExpiresAt { get; set; }

        public List<Action> Listeners { get; } = [];
    }
}
