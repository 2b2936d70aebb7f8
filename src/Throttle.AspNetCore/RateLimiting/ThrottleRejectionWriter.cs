using System;
using System.Globalization;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>
/// The <c>OnRejected</c> of Throttle's policies and global limiter: 429 with <c>Retry-After</c> from the lease and,
/// when the policy opts in, the IETF draft <c>RateLimit-*</c> headers from the lease's quota.
/// </summary>
internal sealed class ThrottleRejectionWriter(bool includeQuota)
{
    public const string LimitHeader = "RateLimit-Limit";
    public const string RemainingHeader = "RateLimit-Remaining";
    public const string ResetHeader = "RateLimit-Reset";

    public const string Title = "Too Many Requests";

    public ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var lease = context.Lease;
        TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null;
        if (includeQuota)
        {
            WriteQuota(context.HttpContext.Response.Headers, lease);
        }

        return ThrottleProblemResponse.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, Title, retryAfter);
    }

    private static void WriteQuota(IHeaderDictionary headers, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(ThrottleLeaseMetadata.Limit, out var limit))
        {
            headers[LimitHeader] = limit.ToString(CultureInfo.InvariantCulture);
        }

        if (lease.TryGetMetadata(ThrottleLeaseMetadata.Remaining, out var remaining))
        {
            headers[RemainingHeader] = remaining.ToString(CultureInfo.InvariantCulture);
        }

        if (lease.TryGetMetadata(ThrottleLeaseMetadata.Reset, out var reset))
        {
            headers[ResetHeader] = ThrottleProblemResponse.WholeSeconds(reset);
        }
    }
}
