using System;
using System.Buffers;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Throttle.Storage.Redis;

/// <summary>
/// Builds every Redis key Throttle writes; nothing else concatenates a key. The layout (README, "Redis key layout"):
/// <list type="bullet">
/// <item>limiters: <c>&lt;prefix&gt;:{&lt;scope&gt;:&lt;key&gt;}:tb3</c> (token bucket), <c>:sw3</c> and <c>:sws3</c>
/// (sliding window log and state), <c>:lb</c> (leaky bucket);</item>
/// <item>key/value: <c>&lt;prefix&gt;:kv:{&lt;key&gt;}</c>;</item>
/// <item>semaphores: <c>&lt;prefix&gt;:sem:{&lt;key&gt;[:&lt;partition&gt;]}:holders</c>, <c>:meta</c>, <c>:waiters</c>,
/// and the channel <c>:released</c> (layout 2: see <see cref="SemaphoreKeys"/>);</item>
/// <item>leaderships: <c>&lt;prefix&gt;:lead:{&lt;lock name&gt;}:holder</c>, <c>:fence</c>, and the channel <c>:released</c>;</item>
/// <item>shared circuit breakers: <c>&lt;prefix&gt;:cb:{&lt;name&gt;}:state</c>, and the sharded channel <c>:events</c>.</item>
/// </list>
/// The braces are the Redis Cluster hash tag: the keys of one operation live in one slot. Every part taken from user
/// input goes through <see cref="Part"/>, which percent-encodes <c>%</c>, <c>{</c>, <c>}</c>, <c>:</c>, control
/// characters and unpaired surrogates, so a user string can neither move the tag nor reach another key: the encoding
/// is one-to-one and the parts are joined by unencoded <c>:</c>.
/// </summary>
internal sealed class RedisKeys
{
    /// <summary>The longest user part (scope, key, partition) in characters, before encoding; longer ones are refused.</summary>
    public const int MaxPartLength = 4096;

    /// <summary>Suffix of a token bucket (closes the hash tag). The 3 is the layout's version: one binary string of
    /// three doubles, where version 2's <c>:tb2</c> was text and version 1's <c>:tb</c> a hash (processes of different
    /// versions do not share buckets).</summary>
    public const string TokenBucket = "}:tb3";

    /// <summary>Suffix of a sliding window's log (version 3, with <see cref="SlidingWindowState"/>: a list of binary
    /// records, where version 2's <c>:sw2</c> was a sorted set).</summary>
    public const string SlidingWindowLog = "}:sw3";

    /// <summary>Suffix of a sliding window's state (version 3: binary, a header and copies of the oldest records, where
    /// version 2's <c>:sws2</c> was the text <c>'sum oldest expires'</c> and version 1's <c>:sws</c> the sum).</summary>
    public const string SlidingWindowState = "}:sws3";

    /// <summary>Suffix of a leaky bucket.</summary>
    public const string LeakyBucket = "}:lb";

    // Characters that must not appear raw in a part: what percent-encoding itself uses, the hash tag's braces, the part
    // separator, control characters (newlines, NUL) and surrogates (checked for pairing on the slow path).
    private static readonly SearchValues<char> s_special = SearchValues.Create(BuildSpecial());

    private readonly string _kvStart;
    private readonly string _semaphoreStart;

    public RedisKeys(string prefix)
    {
        Prefix = prefix;
        _kvStart = prefix + ":kv:{";
        _semaphoreStart = prefix + ":sem:{";
    }

    /// <summary>The first part of every key: <see cref="RedisStorageOptions.KeyPrefix"/>.</summary>
    public string Prefix { get; }

    /// <summary><c>&lt;prefix&gt;:{&lt;scope&gt;:</c>: the start of one limiter's keys, built once per limiter.</summary>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is null, empty or too long.</exception>
    public string LimiterStart(string scope) => string.Concat(Prefix, ":{", Part(scope, nameof(scope)), ":");

    /// <summary>A limiter key: <paramref name="start"/> from <see cref="LimiterStart"/>, the caller's key, a suffix.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null, empty or too long.</exception>
    public static RedisKey Limiter(string start, string key, string suffix) => string.Concat(start, Part(key, nameof(key)), suffix);

    /// <summary>The key of a key/value entry.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null, empty or too long.</exception>
    public RedisKey KeyValue(string key) => string.Concat(_kvStart, Part(key, nameof(key)), "}");

    /// <summary>The keys and channel of the semaphore <paramref name="key"/>, or of its <paramref name="partition"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> or <paramref name="partition"/> is empty or too long.</exception>
    public SemaphoreKeys Semaphore(string key, string? partition)
    {
        var tag = partition is null
            ? string.Concat(_semaphoreStart, Part(key, nameof(key)), "}:")
            : string.Concat(_semaphoreStart, Part(key, nameof(key)), ":", Part(partition, nameof(partition)), "}:");
        return new SemaphoreKeys(tag);
    }

    /// <summary>The keys and channel of the leadership <paramref name="lockName"/> (a coordinator's lock name).</summary>
    /// <exception cref="ArgumentException"><paramref name="lockName"/> is null, empty or too long.</exception>
    public LeaderKeys Leader(string lockName) => new(string.Concat(Prefix, ":lead:{", Part(lockName, nameof(lockName)), "}:"));

    /// <summary>The key and channel of the shared circuit breaker <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or too long.</exception>
    public CircuitBreakerKeys CircuitBreaker(string name) => new(string.Concat(Prefix, ":cb:{", Part(name, nameof(name)), "}:"));

    /// <summary>
    /// A user string made safe as a key part: returned as is when it holds nothing special (no allocation), else
    /// percent-encoded (<c>%XX</c>, and <c>%uXXXX</c> for an unpaired surrogate).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty, or longer than <see cref="MaxPartLength"/>.</exception>
    public static string Part(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (value.Length > MaxPartLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{paramName} is {value.Length} characters long; a Redis key part may have at most {MaxPartLength}."),
                paramName);
        }

        var first = value.AsSpan().IndexOfAny(s_special);
        return first < 0 ? value : Encode(value, first);
    }

    private static string Encode(string value, int first)
    {
        var builder = new StringBuilder(value.Length + 16);
        builder.Append(value, 0, first);
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append("%u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else if (s_special.Contains(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string BuildSpecial()
    {
        var chars = new StringBuilder("%{}:\u007F");
        for (var c = '\0'; c < ' '; c++)
        {
            chars.Append(c);
        }

        for (var c = '\uD800'; c <= '\uDFFF'; c++)
        {
            chars.Append(c);
        }

        return chars.ToString();
    }
}
