using System;
using Throttle.Policies;

namespace Throttle;

/// <summary>
/// Limits how often the annotated partial method may run. The Throttle source generator implements the method:
/// each call first takes a permit from a limiter, waiting (for a computed delay, not a polling loop) while none is
/// free, then calls the implementation method <c>&lt;Name&gt;Core</c> (<c>FetchAsync</c> calls <c>FetchCoreAsync</c>).
/// </summary>
/// <remarks>
/// <para>By default the limit is shared by every call of the method (key <c>Namespace.Type.Method</c>).
/// Set <see cref="Key"/> to partition it by a parameter or a member of one, or <see cref="KeyMethod"/> to compute the key.</para>
/// <para>A call that cannot get a permit within <see cref="MaxWaitSeconds"/> fails with
/// <c>Throttle.RateLimitRejectedException</c>, whose <c>RetryAfter</c> says when to try again.</para>
/// </remarks>
/// <example>
/// <code>
/// [RateLimit(10, Per = 1, Burst = 20, Key = nameof(userId))]
/// public partial Task&lt;Profile&gt; GetProfileAsync(string userId, CancellationToken cancellationToken);
///
/// private async Task&lt;Profile&gt; GetProfileCoreAsync(string userId, CancellationToken cancellationToken) { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RateLimitAttribute : Attribute
{
    /// <summary>Limits the method to <paramref name="rate"/> calls every <see cref="Per"/> seconds.</summary>
    /// <param name="rate">Permits granted per period; must be positive and finite.</param>
    public RateLimitAttribute(double rate) => Rate = rate;

    /// <summary>Uses the limiter registered on the runtime under <see cref="Limiter"/>; no rate of its own.</summary>
    public RateLimitAttribute() => Rate = double.NaN;

    /// <summary>Permits granted per period (<see cref="Per"/>). <see cref="double.NaN"/> when <see cref="Limiter"/> is used.</summary>
    public double Rate { get; }

    /// <summary>
    /// Length of the period in seconds. Default and bounds: <c>Throttle.Policies.RateLimitOptions.DefaultPer</c> (1),
    /// from <c>MinPer</c> (one tick) to <c>MaxPer</c>.
    /// </summary>
    public double Per { get; set; } = RateLimitOptions.DefaultPer;

    /// <summary>
    /// Bucket capacity: the most permits available at once, at least 1. Default
    /// <c>Throttle.Policies.RateLimitOptions.BurstEqualToRate</c> (0): equal to the rate.
    /// </summary>
    public double Burst { get; set; } = RateLimitOptions.BurstEqualToRate;

    /// <summary>The algorithm. Default <c>Throttle.Policies.RateLimitOptions.DefaultStrategy</c> (<see cref="RateLimitStrategy.TokenBucket"/>).</summary>
    public RateLimitStrategy Strategy { get; set; } = RateLimitOptions.DefaultStrategy;

    /// <summary>
    /// Scope of the limiter's state. Methods that name the same scope (and strategy) share their buckets per key.
    /// Default: the method's full name, so no two methods share state by accident.
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>
    /// Partitions the limit: the name of a parameter (<c>"userId"</c>, or <c>nameof(userId)</c>) or a member path
    /// through one (<c>"request.TenantId"</c>). Checked at compile time. Default: one limit for the whole method.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// Partitions the limit by a key that a method computes: the name (<c>nameof(ComputeKey)</c>) of a method of the
    /// containing type (or a base type it can call) that takes some of the annotated method's parameters, matched by
    /// name and type, in any order (none at all is allowed), and returns the key: a <c>string</c>, or a value formatted
    /// with the invariant culture as <see cref="Key"/>'s values are (not <c>void</c>, a task or a ref struct). Static, or an
    /// instance method when the annotated method is one. Checked at compile time (THR111-THR115); called once per call,
    /// before a permit is taken: an exception it throws reaches the caller and nothing is acquired. Not with <see cref="Key"/>.
    /// </summary>
    /// <example><c>[RateLimit(5, KeyMethod = nameof(TenantOf))] ... private static string TenantOf(Order order) =&gt; order.Tenant;</c></example>
    public string? KeyMethod { get; set; }

    /// <summary>
    /// The name of a storage registered on the runtime (<c>ThrottleRuntime.RegisterStorage</c>) that keeps this method's
    /// limiter state instead of the runtime's own storage (e.g. a Redis for shared limits in an otherwise in-memory
    /// runtime). The first call fails with an <see cref="InvalidOperationException"/> naming the method and the storage
    /// when none of that name is registered. Not with <see cref="Limiter"/>, which has its storage already.
    /// </summary>
    public string? Storage { get; set; }

    /// <summary>
    /// The name of a limiter registered on the runtime (<c>ThrottleRuntime.RegisterLimiter</c>), so that several
    /// methods share one limit. When set, the rate options are not used.
    /// </summary>
    public string? Limiter { get; set; }

    /// <summary>
    /// The longest a call waits for a permit, in seconds. <c>0</c> rejects at once when no permit is free.
    /// Default <c>Throttle.Policies.RateLimitOptions.DefaultMaxWaitSeconds</c>: <see cref="double.PositiveInfinity"/>
    /// (wait as long as it takes; the caller's cancellation token still ends the wait).
    /// </summary>
    public double MaxWaitSeconds { get; set; } = RateLimitOptions.DefaultMaxWaitSeconds;
}
