using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// Leaky bucket on Redis, as a schedule of start times timed by the server's clock: one hash per key
/// (<c>e</c> = when the queue empties, <c>s</c> = the newest reserved start, <c>u</c> = the last change, server µs).
/// The same algorithm as the memory backend, one script per operation (<see cref="RedisScripts.LeakyBucketAcquire"/>).
/// </summary>
internal sealed class RedisLeakyBucketBackend(RedisStorage storage, string scope) : RedisLimiterBackend(storage, scope), ILeakyBucketBackend
{
    private const string Suffix = RedisKeys.LeakyBucket;

    // The script's "any delay" and "start now only" arguments.
    private static readonly RedisValue s_anyDelay = -1;
    private static readonly RedisValue s_noDelay = 0;

    public override ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken)
    {
        var pending = ReserveAsync(key, tokens, rate, s_noDelay, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<RateLimitDecision>(Decision(pending.Result, rate))
            : AwaitDecision(pending, rate);

        static async ValueTask<RateLimitDecision> AwaitDecision(ValueTask<LeakyBucketReservation> pending, LimiterRate rate) =>
            Decision(await pending.ConfigureAwait(false), rate);
    }

    /// <summary>The non-waiting view, with the room the script answered (none under the failure policy).</summary>
    private static RateLimitDecision Decision(LeakyBucketReservation reservation, LimiterRate rate)
    {
        var decision = reservation.ToDecision();
        return double.IsNaN(reservation.Available) ? decision : decision.WithQuota(reservation.Available, rate);
    }

    public ValueTask<LeakyBucketReservation> ReserveAsync(
        string key, double tokens, LimiterRate rate, TimeSpan maxDelay, CancellationToken cancellationToken) =>
        ReserveAsync(
            key,
            tokens,
            rate,
            maxDelay == Timeout.InfiniteTimeSpan ? s_anyDelay : Number(maxDelay.Ticks / (double)TimeSpan.TicksPerMicrosecond),
            cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask CancelAsync(string key, double tokens, LimiterRate rate, double queueEnd, CancellationToken cancellationToken)
    {
        try
        {
            await Layer.EvaluateAsync(
                RedisScripts.LeakyBucketCancel, [Key(key, Suffix)], [Format(rate).PerSecond, Tokens(tokens), Number(queueEnd)], cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ThrottleStorageException) when (Layer.AbsorbsFailures)
        {
            // The slot stays reserved and drains on its own; the policy says not to fail the caller.
        }
    }

    public override ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        ReleaseAsync(RedisScripts.LeakyBucketRelease, [Key(key, Suffix)], RateArguments(rate, tokens), cancellationToken);

    public override ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken) =>
        StatsAsync(RedisScripts.LeakyBucketStats, [Key(key, Suffix)], RateArguments(rate), rate, cancellationToken);

    private static double Parse(RedisResult value) =>
        double.Parse((string)value!, NumberStyles.Float, CultureInfo.InvariantCulture);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<LeakyBucketReservation> ReserveAsync(
        string key, double tokens, LimiterRate rate, RedisValue maxDelayMicroseconds, CancellationToken cancellationToken)
    {
        var formatted = Format(rate);
        RedisResult result;
        try
        {
            result = await Layer.EvaluateAsync(
                RedisScripts.LeakyBucketAcquire,
                [Key(key, Suffix)],
                [formatted.Capacity, formatted.PerSecond, Tokens(tokens), maxDelayMicroseconds],
                cancellationToken).ConfigureAwait(false);
        }
        catch (ThrottleStorageException exception) when (Layer.AbsorbsFailures)
        {
            Layer.Telemetry?.PolicyDecided(Layer.Options.FailureMode, exception);
            // Fail open: start now, with nothing to hand back. Fail closed: refuse for the configured time.
            var retryAfter = Layer.Options.FailClosedRetryAfter;
            return Layer.Options.FailureMode == StorageFailureMode.FailOpen
                ? LeakyBucketReservation.Reserved(TimeSpan.Zero, double.NaN)
                : LeakyBucketReservation.Refused(retryAfter, retryAfter);
        }

        var parts = (RedisResult[])result!;
        var reservation = (string?)parts[0] == "1"
            ? LeakyBucketReservation.Reserved(SecondsToDelay(Parse(parts[1])), Parse(parts[2]))
            : LeakyBucketReservation.Refused(SecondsToDelay(Parse(parts[1])), SecondsToDelay(Parse(parts[2])));
        return reservation.WithAvailable(Parse(parts[3]));
    }
}
