using System;
using System.Threading.RateLimiting;

namespace Throttle.Interop;

/// <summary>
/// The metadata on leases from Throttle's System.Threading.RateLimiting views: the one place these names are defined,
/// for code that writes <c>Retry-After</c> and <c>RateLimit-*</c> response headers from a lease
/// (<c>lease.TryGetMetadata(ThrottleMetadataNames.Remaining, out var remaining)</c>).
/// </summary>
/// <remarks>
/// <para>Every lease from a decision carries <see cref="Limit"/>, <see cref="Remaining"/> and <see cref="Reset"/>; a
/// failed one also carries <see cref="RetryAfter"/>. Leases that no decision made carry none: the failed lease of a
/// synchronous <c>AttemptAcquire</c> on remote storage (which never waits for Redis), and the failed leases queued
/// acquisitions get when the limiter is disposed.</para>
/// <para>On a granted lease the values are those of the latest decision on the same key through the same view: granted
/// leases are shared per key so that a grant allocates nothing. Values are whole permits, rounded down.</para>
/// </remarks>
public static class ThrottleMetadataNames
{
    /// <summary>How long until the permits asked for are expected to be free (STRL's own <see cref="MetadataName.RetryAfter"/>); on failed leases.</summary>
    public static MetadataName<TimeSpan> RetryAfter => MetadataName.RetryAfter;

    /// <summary>The most permits the key can hold: the limiter's capacity (burst). For a <c>RateLimit-Limit</c> header.</summary>
    public static MetadataName<long> Limit { get; } = MetadataName.Create<long>("RATELIMIT_LIMIT");

    /// <summary>The permits left on the key right after the decision. For a <c>RateLimit-Remaining</c> header.</summary>
    public static MetadataName<long> Remaining { get; } = MetadataName.Create<long>("RATELIMIT_REMAINING");

    /// <summary>
    /// How long after the decision until the key is full again (every permit back), at the limiter's refill rate. For
    /// a <c>RateLimit-Reset</c> header (in whole seconds, rounded up).
    /// </summary>
    public static MetadataName<TimeSpan> Reset { get; } = MetadataName.Create<TimeSpan>("RATELIMIT_RESET");
}
