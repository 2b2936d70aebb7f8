using System.Threading.RateLimiting;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>
/// The lease metadata this package reads, named in this one place. <see cref="MetadataName.RetryAfter"/> is
/// System.Threading.RateLimiting's own; the quota names are the ones the partition limiter attaches to a rejected lease
/// (from the limiter's statistics) when a lease of the Throttle adapter does not carry them already.
/// </summary>
internal static class ThrottleLeaseMetadata
{
    /// <summary>The most permits the partition holds (its burst or capacity): <c>RateLimit-Limit</c>.</summary>
    public static readonly MetadataName<long> Limit = MetadataName.Create<long>("RATELIMIT_LIMIT");

    /// <summary>Permits the partition could grant now: <c>RateLimit-Remaining</c>.</summary>
    public static readonly MetadataName<long> Remaining = MetadataName.Create<long>("RATELIMIT_REMAINING");

    /// <summary>How long until the partition holds <see cref="Limit"/> permits again: <c>RateLimit-Reset</c>.</summary>
    public static readonly MetadataName<System.TimeSpan> Reset = MetadataName.Create<System.TimeSpan>("RATELIMIT_RESET");
}
