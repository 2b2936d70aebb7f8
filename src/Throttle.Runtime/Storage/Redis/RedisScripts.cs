namespace Throttle.Storage.Redis;

/// <summary>
/// Every Lua script Throttle runs on Redis, and the one place that says what each takes (<c>KEYS</c>, then
/// <c>ARGV</c>, in order) and answers. The scripts are the embedded <c>Scripts/*.lua</c> files beside this one; each
/// operation is one script, so one round trip, and the keys of one call share a hash tag (see <see cref="RedisKeys"/>).
/// </summary>
/// <remarks>
/// Limiter conventions (<c>limiter-common.lua</c>): time is the server's <c>TIME</c> in µs; numbers travel as strings
/// (<c>%.17g</c>); an acquire answers the integer -1 when granted, otherwise the retry delay in seconds as a string;
/// 1e-9 of a token absorbs floating-point noise as in memory; every write sets a TTL covering the time the state needs
/// to return to its initial value. Semaphore conventions (<c>semaphore-common.lua</c>): time in ms of server time;
/// every script takes the semaphore's six keys and its lease time, and refreshes the TTL of all six keys.
/// </remarks>
internal static class RedisScripts
{
    private const string Limiter = "limiter-common";
    private const string Window = "sliding-window-common";
    private const string Semaphore = "semaphore-common";
    private const string Breaker = "breaker-common";

    private static readonly string[] s_bucket = ["bucket"];
    private static readonly string[] s_window = ["log", "sum"];
    private static readonly string[] s_rateTokens = ["capacity", "rate", "tokens"];
    private static readonly string[] s_rate = ["capacity", "rate"];
    private static readonly string[] s_semaphore = ["holders", "max", "extra", "queue", "alive", "ticket"];
    private static readonly string[] s_breakerState = ["state"];
    private static readonly string[] s_breaker = ["threshold", "breakMs", "by", "ttl", "id", "channel"];

    /// <summary>KEYS: bucket (hash: <c>t</c> tokens, <c>u</c> last refill µs). ARGV: capacity, rate (per second), tokens.</summary>
    public static readonly RedisScript TokenBucketAcquire = RedisScript.Load("token-bucket-acquire", s_bucket, s_rateTokens, Limiter);

    /// <summary>KEYS: bucket. ARGV: capacity, rate, tokens. A missing bucket is full: nothing to give back. Answers 0.</summary>
    public static readonly RedisScript TokenBucketRelease = RedisScript.Load("token-bucket-release", s_bucket, s_rateTokens, Limiter);

    /// <summary>KEYS: bucket. ARGV: capacity, rate. Answers { available, last update (µs) or '' }.</summary>
    public static readonly RedisScript TokenBucketStats = RedisScript.Load("token-bucket-stats", s_bucket, s_rate, Limiter);

    /// <summary>
    /// KEYS: log (sorted set of admitted requests, score server µs), sum (their total weight). ARGV: capacity,
    /// window (µs), tokens, member (an id unique across processes).
    /// </summary>
    public static readonly RedisScript SlidingWindowAcquire =
        RedisScript.Load("sliding-window-acquire", s_window, ["capacity", "window", "tokens", "member"], Limiter, Window);

    /// <summary>KEYS: log, sum. ARGV: tokens, window (µs). Forgets the newest requests worth <c>tokens</c>. Answers 0.</summary>
    public static readonly RedisScript SlidingWindowRelease =
        RedisScript.Load("sliding-window-release", s_window, ["tokens", "window"], Limiter, Window);

    /// <summary>KEYS: log, sum. ARGV: capacity, window (µs). Answers { available, newest request (µs) or '' }.</summary>
    public static readonly RedisScript SlidingWindowStats =
        RedisScript.Load("sliding-window-stats", s_window, ["capacity", "window"], Limiter, Window);

    /// <summary>
    /// KEYS: bucket (hash, server µs: <c>e</c> when the queue empties, <c>s</c> the newest reserved start, <c>u</c> the
    /// last change). ARGV: capacity, rate (leak per second), tokens, maxDelay (µs a caller may wait for its start; -1 any,
    /// 0 start now only). Answers { '1', wait (s), the reservation's e } reserved; { '0', wait (s), retry after (s) } refused.
    /// </summary>
    public static readonly RedisScript LeakyBucketAcquire =
        RedisScript.Load("leaky-bucket-acquire", s_bucket, ["capacity", "rate", "tokens", "maxDelay"], Limiter);

    /// <summary>KEYS: bucket. ARGV: rate, tokens, queueEnd (the reservation's e). Takes a cancelled last reservation back. Answers 0.</summary>
    public static readonly RedisScript LeakyBucketCancel =
        RedisScript.Load("leaky-bucket-cancel", s_bucket, ["rate", "tokens", "queueEnd"], Limiter);

    /// <summary>KEYS: bucket. ARGV: capacity (unused), rate, tokens. Lowers the level once every reserved call started. Answers 0.</summary>
    public static readonly RedisScript LeakyBucketRelease = RedisScript.Load("leaky-bucket-release", s_bucket, s_rateTokens, Limiter);

    /// <summary>KEYS: bucket. ARGV: capacity, rate. Answers { available, last change (µs) or '' }.</summary>
    public static readonly RedisScript LeakyBucketStats = RedisScript.Load("leaky-bucket-stats", s_bucket, s_rate, Limiter);

    /// <summary>KEYS: key (a key/value key). ARGV: none. Answers { value or false, PTTL }.</summary>
    public static readonly RedisScript GetWithTtl = RedisScript.Load("get-with-ttl", ["key"], []);

    /// <summary>
    /// KEYS: key (a key/value key). ARGV: delta (finite, <c>R</c> format). Adds in double precision, keeping the TTL.
    /// Answers the new value (<c>%.17g</c>); an error reply "would produce NaN or Infinity" (value unchanged) when the
    /// result is not finite, "not a valid float" when the value is not a number.
    /// </summary>
    public static readonly RedisScript KeyValueIncrement = RedisScript.Load("kv-increment", ["key"], ["delta"]);

    /// <summary>
    /// KEYS: the semaphore's holders (sorted set: holder id scored by lease expiry, ms), max (its value, set by the
    /// first user), extra (slots added by unbounded releases without a lease), queue (sorted set: waiter id scored by
    /// arrival ticket), alive (sorted set: waiter id scored by the expiry of its place), ticket (the arrival counter).
    /// ARGV: id, value, lease (ms), bounded (1/0), enqueue when refused (1/0). Answers {1, expiry} granted;
    /// {0, ms until the earliest lease expires or -1} refused; {-1, stored value} when the key has another value.
    /// </summary>
    public static readonly RedisScript SemaphoreAcquire =
        RedisScript.Load("semaphore-acquire", s_semaphore, ["id", "value", "lease", "bounded", "enqueue"], Semaphore);

    /// <summary>
    /// KEYS: the semaphore's six keys. ARGV: id ('' for a release without a lease), bounded (1/0), channel, lease (ms).
    /// Answers 1 released; 0 the lease had expired (nothing released); -1 bounded and nothing held; 2 a slot added.
    /// </summary>
    public static readonly RedisScript SemaphoreRelease =
        RedisScript.Load("semaphore-release", s_semaphore, ["id", "bounded", "channel", "lease"], Semaphore);

    /// <summary>KEYS: the semaphore's six keys. ARGV: id, lease (ms). Answers 1 renewed; 0 the lease had expired or is gone.</summary>
    public static readonly RedisScript SemaphoreRenew = RedisScript.Load("semaphore-renew", s_semaphore, ["id", "lease"], Semaphore);

    /// <summary>KEYS: the semaphore's six keys. ARGV: id, channel, lease (ms). Leaves the queue, waking the others when it was in it.</summary>
    public static readonly RedisScript SemaphoreLeave = RedisScript.Load("semaphore-leave", s_semaphore, ["id", "channel", "lease"], Semaphore);

    /// <summary>
    /// KEYS: holder (the lease: <c>&lt;id&gt;|&lt;token&gt;</c>), fence (the last fencing token). ARGV: id (the holder),
    /// ttl (ms), fenceTtl (ms). Takes the lease when absent or already this holder's, with a new fencing token.
    /// Answers {1, token, server µs} taken; {0, ms left of the other holder's lease, server µs} held by another.
    /// </summary>
    public static readonly RedisScript LeaderAcquire = RedisScript.Load("leader-acquire", ["holder", "fence"], ["id", "ttl", "fenceTtl"]);

    /// <summary>KEYS: holder. ARGV: value (<c>&lt;id&gt;|&lt;token&gt;</c>), ttl (ms). Answers {1, server µs} extended; {0, server µs} not this term's.</summary>
    public static readonly RedisScript LeaderRenew = RedisScript.Load("leader-renew", ["holder"], ["value", "ttl"]);

    /// <summary>KEYS: holder. ARGV: value, channel (published to on release). Answers {1, server µs} released; {0, server µs} not this term's.</summary>
    public static readonly RedisScript LeaderRelease = RedisScript.Load("leader-release", ["holder"], ["value", "channel"]);

    /// <summary>
    /// KEYS: state (the shared circuit breaker's hash; fields in <c>breaker-common.lua</c>). ARGV: threshold, breakMs
    /// (the caller's settings, integers), by (who asks, named in a settings conflict), ttl (ms), id (this process's
    /// breaker, unique across processes), channel (the sharded announcement channel). Every breaker script takes these
    /// first. Stores the settings when none, checks them, answers the state (answers in <c>breaker-common.lua</c>).
    /// </summary>
    public static readonly RedisScript CircuitBreakerJoin = RedisScript.Load("breaker-join", s_breakerState, s_breaker, Breaker);

    /// <summary>KEYS, ARGV: as <see cref="CircuitBreakerJoin"/>, then trial (1/0: the caller holds the half-open trial). Records a handled failure.</summary>
    public static readonly RedisScript CircuitBreakerFailure = RedisScript.Load("breaker-failure", s_breakerState, [.. s_breaker, "trial"], Breaker);

    /// <summary>KEYS, ARGV: as <see cref="CircuitBreakerFailure"/>. Records a success: closes from the trial, resets a counted streak.</summary>
    public static readonly RedisScript CircuitBreakerSuccess = RedisScript.Load("breaker-success", s_breakerState, [.. s_breaker, "trial"], Breaker);

    /// <summary>KEYS, ARGV: as <see cref="CircuitBreakerJoin"/>. Asks for the half-open trial; answers 'trial' when granted.</summary>
    public static readonly RedisScript CircuitBreakerTrial = RedisScript.Load("breaker-trial", s_breakerState, s_breaker, Breaker);

    /// <summary>KEYS, ARGV: as <see cref="CircuitBreakerJoin"/>. Frees the caller's trial (it ended with an exception not handled).</summary>
    public static readonly RedisScript CircuitBreakerRelease = RedisScript.Load("breaker-release", s_breakerState, s_breaker, Breaker);

    /// <summary>KEYS, ARGV: as <see cref="CircuitBreakerJoin"/>, then target (2 isolate, 0 close). Isolates or closes by hand.</summary>
    public static readonly RedisScript CircuitBreakerSet = RedisScript.Load("breaker-set", s_breakerState, [.. s_breaker, "target"], Breaker);

    /// <summary>All scripts, for tests that load each once.</summary>
    internal static RedisScript[] All =>
    [
        TokenBucketAcquire, TokenBucketRelease, TokenBucketStats,
        SlidingWindowAcquire, SlidingWindowRelease, SlidingWindowStats,
        LeakyBucketAcquire, LeakyBucketCancel, LeakyBucketRelease, LeakyBucketStats,
        GetWithTtl, KeyValueIncrement,
        SemaphoreAcquire, SemaphoreRelease, SemaphoreRenew, SemaphoreLeave,
        LeaderAcquire, LeaderRenew, LeaderRelease,
        CircuitBreakerJoin, CircuitBreakerFailure, CircuitBreakerSuccess, CircuitBreakerTrial, CircuitBreakerRelease, CircuitBreakerSet,
    ];
}
