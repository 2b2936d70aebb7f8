using System;
using System.Linq;
using System.ComponentModel;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters;
using Throttle.Policies;
using Throttle.Storage.Memory;
using Throttle.Telemetry;

namespace Throttle.Infrastructure;

/// <summary>
/// One <c>[RateLimit]</c> method's policy, held by generated code in a static field. Each call names its runtime (the
/// one the method's object holds, or null for <see cref="ThrottleRuntime.Current"/>); the site resolves its limiter
/// once per runtime, so a call with a permit available costs a reference comparison plus the limiter's own check, and
/// allocates nothing.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RateLimitSite
{
    private PerRuntime<Binding> _resolved;

    /// <summary>
    /// Creates the site; generated code passes options the generator has already checked with the same
    /// <see cref="RateLimitOptions.Validate"/>, checked again here. The site keeps a copy of them.
    /// </summary>
    /// <param name="id">Unique name of the method (its overload included).</param>
    /// <param name="options">The <c>[RateLimit]</c> settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="id"/> is null or empty, or an option is out of range (an <see cref="ArgumentOutOfRangeException"/>)
    /// or blank: <see cref="ArgumentException.ParamName"/> is the option's name and the message that of its <see cref="OptionProblem"/>;
    /// or both <see cref="RateLimitOptions.Limiter"/> and <see cref="RateLimitOptions.Storage"/> are set.
    /// </exception>
    public RateLimitSite(string id, RateLimitOptions options)
    {
        Id = Guard.Key(id, nameof(id));
        ArgumentNullException.ThrowIfNull(options);
        options = options.Copy();
        OptionRules.ThrowFirst(options.Validate());
        ThrowIfUnknownStrategy(options);
        LimiterName = options.Limiter;
        StorageName = options.Storage;
        if (LimiterName is not null && StorageName is not null)
        {
            // A registered limiter has its storage already; taking this one silently would keep the state elsewhere.
#pragma warning disable CA2208 // ParamName is the option's name, as for every option problem of the site.
            throw new ArgumentException(
                $"Storage ('{StorageName}') does not apply with the registered limiter '{LimiterName}', which keeps its state where it was built; remove Storage.",
                nameof(RateLimitOptions.Storage));
#pragma warning restore CA2208
        }

        if (LimiterName is null)
        {
            Rate = options.Rate;
            Per = options.Per;
            Burst = options.Capacity;
        }

        Strategy = options.Strategy;
        Scope = options.Scope ?? id;
        MaxWait = Guard.WaitSeconds(options.MaxWaitSeconds, nameof(options.MaxWaitSeconds));
    }

    // Validate skips the rate options next to a named limiter, the strategy among them; an undefined strategy is refused
    // here all the same (with Validate's own message), at construction rather than at some later call.
    private static void ThrowIfUnknownStrategy(RateLimitOptions options)
    {
        if (options.Limiter is not null)
        {
            var unnamed = options.Copy();
            unnamed.Limiter = null;
            OptionRules.ThrowFirst(unnamed.Validate().Where(problem => problem.Option == nameof(RateLimitOptions.Strategy)).ToList());
        }
    }

    /// <summary>Unique name of the method.</summary>
    public string Id { get; }

    /// <summary>Permits per period (NaN for a named limiter).</summary>
    public double Rate { get; } = double.NaN;

    /// <summary>The period in seconds.</summary>
    public double Per { get; } = double.NaN;

    /// <summary>Bucket capacity.</summary>
    public double Burst { get; } = double.NaN;

    /// <summary>The algorithm.</summary>
    public RateLimitStrategy Strategy { get; }

    /// <summary>State scope.</summary>
    public string Scope { get; }

    /// <summary>The registered limiter used instead of the site's own, if any.</summary>
    public string? LimiterName { get; }

    /// <summary>The storage registered on the runtime that keeps the site's own limiter's state, if not the runtime's; resolved with the limiter, once per runtime.</summary>
    public string? StorageName { get; }

    /// <summary>Longest wait for a permit; <see cref="Timeout.InfiniteTimeSpan"/> for no bound.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>The limiter of the current runtime (<see cref="ThrottleRuntime.Current"/>).</summary>
    public ThrottleLimiter Limiter => LimiterOf(null);

    /// <summary>Takes one permit for <paramref name="key"/>, then returns <paramref name="next"/>'s result.</summary>
    /// <remarks>
    /// With a permit free the acquire completes synchronously and <paramref name="next"/> is called directly: no async
    /// state machine, nothing allocated. Only a real wait goes through an awaiting path.
    /// </remarks>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="runtime">The runtime to run on; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="key">The bucket's key.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a permit; passed to <paramref name="next"/>.</param>
    /// <exception cref="RateLimitRejectedException">No permit within the maximum wait.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public ValueTask<TResult> InvokeAsync<TState, TResult>(
        ThrottleRuntime? runtime, string key, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        var wait = AcquireAsync(runtime, key, cancellationToken);
        if (wait.IsCompletedSuccessfully)
        {
            wait.GetAwaiter().GetResult();
            return next(state, cancellationToken);
        }

        return AwaitPermitAsync(wait, state, next, cancellationToken);

        static async ValueTask<TResult> AwaitPermitAsync(
            ValueTask wait, TState state, Func<TState, CancellationToken, ValueTask<TResult>> next, CancellationToken cancellationToken)
        {
            await wait.ConfigureAwait(false);
            return await next(state, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes one permit for <paramref name="key"/>, then returns <paramref name="next"/>'s task.</summary>
    /// <remarks>With a permit free, <paramref name="next"/> is called directly, allocating nothing.</remarks>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime to run on; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="key">The bucket's key.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a permit; passed to <paramref name="next"/>.</param>
    /// <exception cref="RateLimitRejectedException">No permit within the maximum wait.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public ValueTask InvokeAsync<TState>(
        ThrottleRuntime? runtime, string key, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        var wait = AcquireAsync(runtime, key, cancellationToken);
        if (wait.IsCompletedSuccessfully)
        {
            wait.GetAwaiter().GetResult();
            return next(state, cancellationToken);
        }

        return AwaitPermitAsync(wait, state, next, cancellationToken);

        static async ValueTask AwaitPermitAsync(
            ValueTask wait, TState state, Func<TState, CancellationToken, ValueTask> next, CancellationToken cancellationToken)
        {
            await wait.ConfigureAwait(false);
            await next(state, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes one permit for <paramref name="key"/>, blocking the thread while it waits, then calls <paramref name="next"/>.</summary>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="runtime">The runtime to run on; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="key">The bucket's key.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a permit; passed to <paramref name="next"/>.</param>
    /// <returns><paramref name="next"/>'s result.</returns>
    /// <exception cref="RateLimitRejectedException">No permit within the maximum wait.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public TResult Invoke<TState, TResult>(ThrottleRuntime? runtime, string key, TState state, Func<TState, CancellationToken, TResult> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        Acquire(runtime, key, cancellationToken);
        return next(state, cancellationToken);
    }

    /// <summary>Takes one permit for <paramref name="key"/>, blocking the thread while it waits, then calls <paramref name="next"/>.</summary>
    /// <typeparam name="TState">The call's arguments, passed to <paramref name="next"/>.</typeparam>
    /// <param name="runtime">The runtime to run on; null for <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="key">The bucket's key.</param>
    /// <param name="state">Passed to <paramref name="next"/>.</param>
    /// <param name="next">The next layer or the implementation; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a permit; passed to <paramref name="next"/>.</param>
    /// <exception cref="RateLimitRejectedException">No permit within the maximum wait.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="next"/> is null.</exception>
    public void Invoke<TState>(ThrottleRuntime? runtime, string key, TState state, Action<TState, CancellationToken> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        Acquire(runtime, key, cancellationToken);
        next(state, cancellationToken);
    }

    /// <summary>The limiter of <paramref name="runtime"/> (null: <see cref="ThrottleRuntime.Current"/>).</summary>
    internal ThrottleLimiter LimiterOf(ThrottleRuntime? runtime) => Bind(runtime).Limiter;

    /// <summary>What this site calls on <paramref name="runtime"/> (null: <see cref="ThrottleRuntime.Current"/>), resolved once per runtime.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Binding Bind(ThrottleRuntime? runtime) => _resolved.Get(runtime, this, s_bind);

    // A static readonly field (a constant in optimized code), not a lambda whose cached delegate is loaded and
    // checked on every call before the inline runtime check.
    private static readonly Func<ThrottleRuntime, RateLimitSite, Binding> s_bind = static (runtime, site) => new Binding(runtime.ResolveLimiter(site));

    /// <summary>Takes one permit for <paramref name="key"/> on the current runtime, waiting at most <see cref="MaxWait"/>.</summary>
    internal ValueTask AcquireAsync(string key, CancellationToken cancellationToken) => AcquireAsync(null, key, cancellationToken);

    /// <summary>Takes one permit for <paramref name="key"/>, waiting at most <see cref="MaxWait"/>.</summary>
    /// <exception cref="RateLimitRejectedException">No permit within the maximum wait.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    internal ValueTask AcquireAsync(ThrottleRuntime? runtime, string key, CancellationToken cancellationToken)
    {
        var binding = Bind(runtime);
        if (binding.InProcess is { } bucket && !string.IsNullOrEmpty(key) && !cancellationToken.IsCancellationRequested)
        {
            if (!bucket.TryAcquireNow(key, 1, out var retryAfter))
            {
                return WaitAfterRejectionAsync(binding, key, retryAfter, cancellationToken);
            }

            binding.CountAcquired();
            return default;
        }

        return AcquireThroughLimiterAsync(binding, key, cancellationToken);
    }

    /// <summary>Takes one permit for <paramref name="key"/> on the current runtime, blocking the thread while it waits.</summary>
    internal void Acquire(string key, CancellationToken cancellationToken) => Acquire(null, key, cancellationToken);

    /// <summary>Takes one permit for <paramref name="key"/>, blocking the thread while it waits (synchronous methods).</summary>
    /// <exception cref="RateLimitRejectedException">No permit within the maximum wait.</exception>
    internal void Acquire(ThrottleRuntime? runtime, string key, CancellationToken cancellationToken)
    {
        var binding = Bind(runtime);
        if (binding.InProcess is { } bucket && !string.IsNullOrEmpty(key) && !cancellationToken.IsCancellationRequested)
        {
            if (!bucket.TryAcquireNow(key, 1, out var retryAfter))
            {
                WaitAfterRejection(binding, key, retryAfter, cancellationToken);
                return;
            }

            binding.CountAcquired();
            return;
        }

        AcquireThroughLimiter(binding, key, cancellationToken);
    }

    // The blocking forms of the two slow paths, out of line so that the free permit's frame holds no ValueTask.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WaitAfterRejection(Binding binding, string key, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        Block(WaitAfterRejectionAsync(binding, key, retryAfter, cancellationToken));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AcquireThroughLimiter(Binding binding, string key, CancellationToken cancellationToken) =>
        Block(AcquireThroughLimiterAsync(binding, key, cancellationToken));

    /// <summary>The wait after the in-process attempt was rejected (out of line, as every path but the free permit).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask WaitAfterRejectionAsync(Binding binding, string key, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        binding.Observe(binding.TokenBucket!.WaitForOneAfterRejectionAsync(key, retryAfter, MaxWait, cancellationToken));

    /// <summary>
    /// The general path: a limiter that decides asynchronously (Redis, other algorithms), a token bucket below one token,
    /// a cancelled token, a bad key. The token bucket (sealed: one type check) still skips the virtual calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask AcquireThroughLimiterAsync(Binding binding, string key, CancellationToken cancellationToken)
    {
        // Generated code passes a constant or a ThrottleKey-checked key; the check stays for direct callers.
        if (string.IsNullOrEmpty(key))
        {
            Guard.Key(key);
        }

        // MaxWait was validated by the constructor, so the limiter's own argument checks are skipped.
        var limiter = binding.Limiter;
        var pending = binding.TokenBucket is { } tokenBucket
            ? tokenBucket.AcquireOneAsync(key, MaxWait, cancellationToken)
            : limiter.AcquireOneUncheckedAsync(key, MaxWait, cancellationToken);
        return binding.Observe(pending);
    }

    private static void Block(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return;
        }

        pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// A site's limiter on one runtime with what its hot path reads, gathered once: the in-process buckets a one-token
    /// acquire takes from directly, and the limiter's telemetry hook with the counter whose <c>Enabled</c> is the
    /// no-listener check. Immutable: a runtime change binds anew (<see cref="PerRuntime{T}"/>), never edits one.
    /// </summary>
    private sealed class Binding
    {
        public readonly ThrottleLimiter Limiter;

        /// <summary>The limiter when it is the sealed token bucket (any storage).</summary>
        public readonly TokenBucketLimiter? TokenBucket;

        /// <summary>Its buckets when a one-token acquire can be decided in process, synchronously.</summary>
        public readonly MemoryTokenBucketBackend? InProcess;

        /// <summary>The limiter's hook (as of binding: a runtime sets it when it creates or registers the limiter).</summary>
        public readonly RateLimitTelemetry? Telemetry;

        /// <summary><see cref="Telemetry"/>'s requests counter: null without a hook, else <c>Enabled</c> while something listens.</summary>
        public readonly Counter<long>? Requests;

        public Binding(ThrottleLimiter limiter)
        {
            Limiter = limiter;
            TokenBucket = limiter as TokenBucketLimiter;
            InProcess = TokenBucket?.InProcessForOne;
            Telemetry = limiter.Telemetry;
            Requests = Telemetry?.Requests;
        }

        /// <summary>Counts a permit granted at once, when something listens.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void CountAcquired()
        {
            if (Requests is { } requests && requests.Enabled)
            {
                Telemetry!.CountAcquired();
            }
        }

        /// <summary>Hands <paramref name="pending"/> to the hook, if any.</summary>
        public ValueTask Observe(ValueTask pending) => Telemetry is { } telemetry ? telemetry.Observe(pending) : pending;
    }
}
