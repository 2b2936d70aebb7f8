using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Limiters.Backends;

/// <summary>
/// One limiter's state on one storage: in-process objects for memory, one Lua script per operation for Redis.
/// Arguments are validated by the limiter before they get here.
/// </summary>
internal interface ILimiterBackend
{
    /// <summary>Takes <paramref name="tokens"/> from <paramref name="key"/> if the algorithm admits them, atomically.</summary>
    /// <param name="key">The caller's key (the backend adds the scope).</param>
    /// <param name="tokens">Positive, at most the capacity.</param>
    /// <param name="rate">The capacity and rate in force for this call (fixed unless the limiter is adaptive).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken);

    /// <summary>Gives <paramref name="tokens"/> back to <paramref name="key"/>, never beyond the capacity.</summary>
    ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken);

    /// <summary>Reads the key's state without changing it.</summary>
    ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken);
}
