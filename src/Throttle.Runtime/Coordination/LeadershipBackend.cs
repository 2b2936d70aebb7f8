using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Coordination;

/// <summary>
/// Where a leadership's lease lives: Redis (<see cref="RedisLeadershipBackend"/>) or this process
/// (<see cref="MemoryLeadershipBackend"/>). Each operation is one atomic step. Times are the backend's clock in µs
/// (Redis <c>TIME</c>), as recorded for the leadership intervals of the multi-process tests.
/// </summary>
internal abstract class LeadershipBackend
{
    /// <summary>Takes the lease when free (or still this holder's), with a new fencing token.</summary>
    public abstract ValueTask<LeaseAttempt> TryAcquireAsync(string holderId, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Extends the lease of the term <paramref name="token"/>, only while it is still that term's.</summary>
    public abstract ValueTask<LeaseAnswer> RenewAsync(string holderId, long token, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Deletes the lease of the term <paramref name="token"/>, only while it is still that term's, and wakes followers.</summary>
    public abstract ValueTask<LeaseAnswer> ReleaseAsync(string holderId, long token, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onReleased"/> whenever a leader of this lock releases.</summary>
    public abstract ValueTask SubscribeAsync(Action onReleased, CancellationToken cancellationToken);

    /// <summary>Stops calling the handler given to <see cref="SubscribeAsync"/>.</summary>
    public abstract ValueTask UnsubscribeAsync(Action onReleased);

    /// <summary>The value a term's lease holds.</summary>
    protected static string LeaseValue(string holderId, long token) =>
        string.Concat(holderId, "|", token.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>The answer to an acquire: the term's fencing token, or how long the other holder's lease still runs.</summary>
internal readonly record struct LeaseAttempt(bool Acquired, long Token, long ServerMicros, TimeSpan HeldFor);

/// <summary>The answer to a renew or release: whether the lease was still the term's.</summary>
internal readonly record struct LeaseAnswer(bool Done, long ServerMicros);
