using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Throttle.AspNetCore.RateLimiting;

/// <summary>
/// A rate-limiter policy whose partitions are keys of one named limiter of the request's <see cref="ThrottleRuntime"/>
/// (the host's, from <see cref="HttpContext.RequestServices"/>). A null or empty partition is
/// <see cref="ThrottlePolicyOptions.AnonymousPartition"/>.
/// </summary>
internal sealed class ThrottleRateLimiterPolicy : IRateLimiterPolicy<string>
{
    private readonly string _limiterName;
    private readonly Func<HttpContext, string?> _partition;
    private readonly ThrottlePolicyOptions _options;
    private readonly Func<OnRejectedContext, CancellationToken, ValueTask> _onRejected;

    // The factory of the runtime seen last: a host has one runtime, so after the first request this is a field read
    // and GetPartition allocates nothing of its own.
    private RuntimeFactory? _last;

    public ThrottleRateLimiterPolicy(string limiterName, Func<HttpContext, string?> partition, ThrottlePolicyOptions options)
    {
        _limiterName = limiterName;
        _partition = partition;
        _options = options;
        _onRejected = new ThrottleRejectionWriter(options.IncludeRateLimitHeaders).OnRejectedAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask> OnRejected => _onRejected;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var key = _partition(httpContext);
        if (string.IsNullOrEmpty(key))
        {
            key = _options.AnonymousPartition;
        }

        var runtime = httpContext.RequestServices.GetRequiredService<ThrottleRuntime>();
        var last = Volatile.Read(ref _last);
        if (last is null || !ReferenceEquals(last.Runtime, runtime))
        {
            last = new RuntimeFactory(runtime, _limiterName, _options);
            Volatile.Write(ref _last, last);
        }

        return RateLimitPartition.Get(key, last.Create);
    }

    private sealed class RuntimeFactory(ThrottleRuntime runtime, string limiterName, ThrottlePolicyOptions options)
    {
        public ThrottleRuntime Runtime { get; } = runtime;

        public RateLimiter Create(string key) => new ThrottlePartitionLimiter(Runtime.GetLimiter(limiterName), key, options);
    }
}
