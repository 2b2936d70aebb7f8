using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// What the Redis limiter backends share: their keys (from <see cref="RedisKeys"/>), number formatting, decoding the
/// scripts' replies, and what the failure policy (<see cref="RedisStorageOptions.FailureMode"/>) means for a limiter
/// when the <see cref="RedisLayer"/> cannot reach Redis: admit (open) or reject (closed), and drop releases. The
/// backends that coalesce concurrent acquisitions of one key (<see cref="RedisAcquireCoalescer"/>) send a batch with
/// <see cref="SendBatchAsync"/>, and this class reads the batch answers of their scripts.
/// </summary>
internal abstract class RedisLimiterBackend : ILimiterBackend
{
    private static readonly RedisValue s_one = Number(1);

    private readonly string _keyStart;

    // The last rate's arguments, formatted once: the rate rarely changes (only an adaptive limiter varies it).
    private FormattedRate? _lastRate;

    protected RedisLimiterBackend(RedisStorage storage, string scope)
    {
        Layer = storage.Layer;
        _keyStart = Layer.Keys.LimiterStart(scope);
    }

    internal RedisLayer Layer { get; }

    public abstract ValueTask<RateLimitDecision> TryAcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken);

    public abstract ValueTask ReleaseAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken);

    public abstract ValueTask<LimiterStats> GetStatsAsync(string key, LimiterRate rate, CancellationToken cancellationToken);

    /// <summary><c>&lt;prefix&gt;:{&lt;scope&gt;:&lt;key&gt;}&lt;suffix&gt;</c>; the suffix starts with the closing brace.</summary>
    protected RedisKey Key(string key, string suffix) => RedisKeys.Limiter(_keyStart, key, suffix);

    protected static RedisValue Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Tokens as a script argument; the common single token costs no formatting.</summary>
    protected static RedisValue Tokens(double tokens) => tokens == 1 ? s_one : Number(tokens);

    /// <summary>ARGV { capacity, rate per second, tokens }.</summary>
    protected RedisValue[] RateArguments(LimiterRate rate, double tokens)
    {
        var formatted = Format(rate);
        return [formatted.Capacity, formatted.PerSecond, Tokens(tokens)];
    }

    /// <summary>ARGV { capacity, rate per second }.</summary>
    protected RedisValue[] RateArguments(LimiterRate rate)
    {
        var formatted = Format(rate);
        return [formatted.Capacity, formatted.PerSecond];
    }

    /// <summary>The capacity and rate as script arguments, formatted once per distinct rate.</summary>
    protected FormattedRate Format(LimiterRate rate)
    {
        var last = Volatile.Read(ref _lastRate);
        if (last is null || last.Rate != rate)
        {
            last = new FormattedRate(rate, Number(rate.Capacity), Number(rate.PerSecond));
            Volatile.Write(ref _lastRate, last);
        }

        return last;
    }

    /// <summary>One request on its own, not coalesced (a caller whose rate differs from its key's batch, or a full batch).</summary>
    internal virtual ValueTask<RateLimitDecision> AcquireAloneAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This backend does not coalesce acquisitions.");

    /// <summary>
    /// Sends one coalesced batch (callers in arrival order, all with <paramref name="rate"/>): the equal-tokens form of
    /// the acquire script when every caller asks the same, else its one-value-per-request form. Not cancellable: the
    /// batch belongs to all its callers (each call is still bounded by the operation timeout).
    /// </summary>
    internal virtual ValueTask<RedisResult> SendBatchAsync(string key, LimiterRate rate, List<RedisAcquireCoalescer.Waiter> batch) =>
        throw new NotSupportedException("This backend does not coalesce acquisitions.");

    /// <summary>Whether every caller of <paramref name="batch"/> asks the same tokens (the script's count form).</summary>
    internal static bool AsksEqual(List<RedisAcquireCoalescer.Waiter> batch)
    {
        var first = batch[0].Tokens;
        for (var i = 1; i < batch.Count; i++)
        {
            if (batch[i].Tokens != first)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads a batch answer into <paramref name="decisions"/> (one per caller, in order): the count form's { granted,
    /// retry or -1, available } or the per-request form's { -1 or retry, ..., available }.
    /// </summary>
    /// <remarks>Every decision carries the available tokens after the whole batch (the quota its caller can see).</remarks>
    internal static void ReadBatchAnswer(RedisResult result, List<RedisAcquireCoalescer.Waiter> batch, LimiterRate rate, RateLimitDecision[] decisions)
    {
        var answer = new Answer(result);
        if (AsksEqual(batch))
        {
            var granted = (int)answer[0];
            var available = answer[2];
            var acquired = RateLimitDecision.Acquired.WithQuota(available, rate);
            var rejected = Decision(answer[1]).WithQuota(available, rate);
            for (var i = 0; i < batch.Count; i++)
            {
                decisions[i] = i < granted ? acquired : rejected;
            }

            return;
        }

        if (answer.Count != batch.Count + 1)
        {
            throw new InvalidOperationException($"The acquire script answered {answer.Count - 1} decisions for {batch.Count} requests.");
        }

        var availableAfter = answer[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            decisions[i] = Decision(answer[i]).WithQuota(availableAfter, rate);
        }
    }

    /// <summary>What a limiter answers when Redis is unreachable and the storage fails open or closed (and records it).</summary>
    internal RateLimitDecision FailurePolicyDecision(ThrottleStorageException exception)
    {
        Layer.Telemetry?.PolicyDecided(Layer.Options.FailureMode, exception);
        return Layer.Options.FailureMode == StorageFailureMode.FailOpen
            ? RateLimitDecision.Acquired
            : RateLimitDecision.Rejected(Layer.Options.FailClosedRetryAfter);
    }

    /// <summary>
    /// Runs a one-request acquire script answering { -1 granted or the retry delay (s), available tokens after }: the
    /// decision carries that quota, so a caller needing it sends no stats script.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<RateLimitDecision> AcquireAsync(
        RedisScript script, RedisKey[] keys, RedisValue[] args, LimiterRate rate, CancellationToken cancellationToken)
    {
        RedisResult result;
        try
        {
            result = await Layer.EvaluateAsync(script, keys, args, cancellationToken).ConfigureAwait(false);
        }
        catch (ThrottleStorageException exception) when (Layer.AbsorbsFailures)
        {
            return FailurePolicyDecision(exception);
        }

        var answer = new Answer(result);
        return Decision(answer[0]).WithQuota(answer[1], rate);
    }

    /// <summary>An acquire script's answer for one request: -1 granted, else the retry delay in seconds.</summary>
    private static RateLimitDecision Decision(double seconds) =>
        seconds < 0 ? RateLimitDecision.Acquired : RateLimitDecision.Rejected(SecondsToDelay(seconds));

    /// <summary>Runs a release script; when Redis is down and the storage fails open or closed, the release is dropped.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected async ValueTask ReleaseAsync(RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        try
        {
            await Layer.EvaluateAsync(script, keys, args, cancellationToken).ConfigureAwait(false);
        }
        catch (ThrottleStorageException) when (Layer.AbsorbsFailures)
        {
            // Nothing to give back to a storage we cannot reach; the policy says not to fail the caller.
        }
    }

    /// <summary>Runs a stats script answering { available, last update in µs or '' }.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<LimiterStats> StatsAsync(RedisScript script, RedisKey[] keys, RedisValue[] args, LimiterRate rate, CancellationToken cancellationToken)
    {
        RedisResult result;
        try
        {
            result = await Layer.EvaluateAsync(script, keys, args, cancellationToken).ConfigureAwait(false);
        }
        catch (ThrottleStorageException) when (Layer.AbsorbsFailures)
        {
            // Report what the limiter does meanwhile: admit everything (full) or nothing (empty).
            var available = Layer.Options.FailureMode == StorageFailureMode.FailOpen ? rate.Capacity : 0;
            return new LimiterStats(available, rate.Capacity, rate.PerSecond, null);
        }

        var parts = (RedisResult[])result!;
        var availableTokens = double.Parse((string)parts[0]!, NumberStyles.Float, CultureInfo.InvariantCulture);
        var updated = (string?)parts[1];
        DateTimeOffset? lastUpdate = string.IsNullOrEmpty(updated)
            ? null
            : DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(double.Parse(updated, NumberStyles.Float, CultureInfo.InvariantCulture) * 10));
        return new LimiterStats(availableTokens, rate.Capacity, rate.PerSecond, lastUpdate);
    }

    /// <summary>Rounds up to whole ticks, so that after waiting the delay the tokens are there.</summary>
    protected static TimeSpan SecondsToDelay(double seconds)
    {
        var ticks = Math.Ceiling(seconds * TimeSpan.TicksPerSecond);
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// The numbers an acquire script answers: an array of integers and <c>%.17g</c> strings, or one binary string of
    /// little-endian doubles (<c>struct.pack('&lt;d…')</c>: the token bucket's, which formats no decimals on the server).
    /// </summary>
    private readonly struct Answer
    {
        private readonly RedisResult[]? _parts;
        private readonly byte[]? _doubles;

        public Answer(RedisResult result)
        {
            if (result.Resp2Type == ResultType.BulkString)
            {
                _doubles = (byte[]?)result ?? [];
                if (_doubles.Length % sizeof(double) != 0)
                {
                    throw new InvalidOperationException($"The acquire script answered {_doubles.Length} bytes, not a whole number of doubles.");
                }
            }
            else
            {
                _parts = (RedisResult[])result!;
            }
        }

        public int Count => _parts?.Length ?? _doubles!.Length / sizeof(double);

        public double this[int index] => _parts is not null
            ? (double)_parts[index]
            : BinaryPrimitives.ReadDoubleLittleEndian(_doubles.AsSpan(index * sizeof(double)));
    }

    /// <summary>A rate and its two numbers formatted for a script.</summary>
    protected sealed record FormattedRate(LimiterRate Rate, RedisValue Capacity, RedisValue PerSecond);
}
