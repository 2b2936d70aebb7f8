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
/// to return to its initial value. An acquire taking a count or one tokens value per request serves coalesced callers
/// of one key (<see cref="RedisAcquireCoalescer"/>) in one call. The token bucket scripts stand alone
/// (<c>token-bucket-common.lua</c>): their state and answers are binary doubles, and the acquire defines no Lua function
/// (server time per call: see the benchmarks README); they need Redis 6 (<c>KEEPTTL</c>). So do the sliding window
/// scripts (<c>sliding-window-common.lua</c>), which stand alone too: a binary state and log, binary answers. Semaphore
/// conventions (<c>semaphore-common.lua</c>): time in ms of server time;
/// the scripts take the semaphore's keys (<see cref="SemaphoreKeys"/>); every key expires at one instant, kept in
/// the meta hash and moved (with a headroom of half a lease) only when a script writes a later expiry, so most calls set
/// no TTL; slots freed while someone waits are handed to the head of the queue by the script
/// that freed them (<c>semaphore-handoff.lua</c>), which names the new holders on the sharded channel (<c>SPUBLISH</c>,
/// Redis 7), or, for waiters of the caller's own instance, in its answer: only they wake, and they take the slot
/// without another script. Expired holders are swept only when the earliest lease has expired, and only by a call that
/// would find the semaphore full or someone waiting.
/// </remarks>
internal static class RedisScripts
{
    private const string Limiter = "limiter-common";
    private const string TokenBucket = "token-bucket-common";
    private const string TokenBucketStore = "token-bucket-store";
    private const string Window = "sliding-window-common";
    private const string WindowAdmit = "sliding-window-admit";
    private const string Semaphore = "semaphore-common";
    private const string Handoff = "semaphore-handoff";
    private const string Breaker = "breaker-common";

    private static readonly string[] s_bucket = ["bucket"];
    private static readonly string[] s_window = ["log", "state"];
    private static readonly string[] s_rateTokens = ["capacity", "rate", "tokens"];
    private static readonly string[] s_rate = ["capacity", "rate"];
    private static readonly string[] s_semaphore = ["holders", "meta", "waiters", "legacy"];
    private static readonly string[] s_breakerState = ["state"];
    private static readonly string[] s_breaker = ["threshold", "breakMs", "by", "ttl", "id", "channel"];

    /// <summary>
    /// KEYS: bucket (one binary string, three little-endian doubles: the balance, its last refill and when the key's
    /// TTL ends, server µs; expiring at most a second after it is full again). ARGV: capacity, rate (per second),
    /// tokens, and optionally count. Answers one binary string of little-endian doubles (no decimals formatted on the
    /// hot path). Without count: one request; answers { -1 granted or the retry delay (s), available tokens after }.
    /// With count: that many requests of <c>tokens</c> each (coalesced callers, in arrival order, decided as one-by-one
    /// calls at this instant would be); answers { granted (the first ones), retry delay (s) of the rest or -1, available
    /// tokens after }.
    /// </summary>
    public static readonly RedisScript TokenBucketAcquire =
        RedisScript.Load("token-bucket-acquire", s_bucket, ["capacity", "rate", "tokens", "count"], TokenBucket).WithOptionalLast();

    /// <summary>
    /// KEYS: bucket. ARGV: capacity, rate, then tokens once per request (coalesced callers asking different amounts, in
    /// arrival order). Answers one binary string of little-endian doubles { -1 granted or the retry delay (s), per
    /// request ..., available tokens after }.
    /// </summary>
    public static readonly RedisScript TokenBucketAcquireEach =
        RedisScript.Load("token-bucket-acquire-each", s_bucket, s_rateTokens, TokenBucket, TokenBucketStore).WithRepeatedLast();

    public static readonly RedisScript TokenBucketRelease = RedisScript.Load("token-bucket-release", s_bucket, s_rateTokens, TokenBucket, TokenBucketStore);

    /// <summary>KEYS: bucket. ARGV: capacity, rate. Answers { available, last refill (µs) or '' }.</summary>
    public static readonly RedisScript TokenBucketStats = RedisScript.Load("token-bucket-stats", s_bucket, s_rate, TokenBucket);

    /// <summary>
    /// KEYS: log (a list of the admitted calls in arrival order, one binary record each: server µs and tokens), state
    /// (one binary string: the window's sum, the TTLs' end, the log's length, and copies of its oldest records; layout in
    /// <c>sliding-window-common.lua</c>). ARGV: capacity, window (µs), tokens, and optionally count. Answers one binary
    /// string of little-endian doubles, as the token bucket. Without count: one request; answers { -1 admitted or the
    /// retry delay (s), available after }. With count: that many requests of <c>tokens</c> each, decided in arrival order
    /// as one-by-one calls at this instant would be (the admitted ones are one record); answers { admitted (the first
    /// ones), retry delay (s) of the rest or -1, available after }.
    /// </summary>
    public static readonly RedisScript SlidingWindowAcquire =
        RedisScript.Load("sliding-window-acquire", s_window, ["capacity", "window", "tokens", "count"], Window, WindowAdmit).WithOptionalLast();

    /// <summary>
    /// KEYS: log, state. ARGV: capacity, window (µs), then tokens once per request (in arrival order). Answers binary
    /// doubles { -1 admitted or the retry delay (s), per request ..., available after }.
    /// </summary>
    public static readonly RedisScript SlidingWindowAcquireEach =
        RedisScript.Load("sliding-window-acquire-each", s_window, ["capacity", "window", "tokens"], Window, WindowAdmit).WithRepeatedLast();

    /// <summary>KEYS: log, state. ARGV: tokens, window (µs). Forgets the newest admitted tokens worth <c>tokens</c>. Answers 0.</summary>
    public static readonly RedisScript SlidingWindowRelease =
        RedisScript.Load("sliding-window-release", s_window, ["tokens", "window"], Window);

    /// <summary>KEYS: log, state. ARGV: capacity, window (µs). Answers { available, newest request (µs) or '' }.</summary>
    public static readonly RedisScript SlidingWindowStats =
        RedisScript.Load("sliding-window-stats", s_window, ["capacity", "window"], Window);

    /// <summary>
    /// KEYS: bucket (hash, server µs: <c>e</c> when the queue empties, <c>s</c> the newest reserved start, <c>u</c> the
    /// last change). ARGV: capacity, rate (leak per second), tokens, maxDelay (µs a caller may wait for its start; -1 any,
    /// 0 start now only). Answers { '1', wait (s), the reservation's e, available after } reserved; { '0', wait (s), retry
    /// after (s), available } refused (available: capacity − level, the room the stats script reports).
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
    /// KEYS: the semaphore's holders (sorted set: holder id scored by lease expiry, ms), meta (hash: v its value, set by
    /// the first user; c until when every key lives; x slots added by unbounded releases without a lease; t the last
    /// ticket), waiters (sorted set: <c>id|place expiry</c> scored by arrival ticket), legacy (layout 1's value key, only
    /// checked; see <see cref="SemaphoreKeys"/>). The other semaphore scripts take the first three.
    /// ARGV: id (<c>&lt;instance&gt;:&lt;n&gt;</c>: hand-offs to ids of the caller's instance are answered, not
    /// published), value, lease (ms), bounded (1/0), mode ('try' never queue, 'wait' a first attempt that may queue,
    /// 'again' a queued waiter's later attempt: takes a slot handed to it), channel (the sharded release channel), place
    /// (with 'again': the place expiry its last refused attempt answered; else ''), release (the holder id of a lease of
    /// the caller's instance to release first, as <see cref="SemaphoreRelease"/> would; or '').
    /// Answers 1 granted, or {1, woken}; {0, ms until the earliest lease expires or -1, woken, place expiry} refused
    /// (queued unless 'try'); {-1, stored value} when the key has another value; {-2, 0} when only layout-1 keys exist.
    /// woken: the space-separated ids of the caller's instance that a hand-off made holders (not published: the caller
    /// wakes them), or ''. With a release, every answer is a table and ends with the release's status (1 released, 0
    /// the lease had expired or was gone).
    /// </summary>
    public static readonly RedisScript SemaphoreAcquire =
        RedisScript.Load("semaphore-acquire", s_semaphore, ["id", "value", "lease", "bounded", "mode", "channel", "place", "release"], Semaphore, Handoff);

    /// <summary>
    /// KEYS: holders, meta, waiters (as <see cref="SemaphoreAcquire"/>). ARGV: id, channel. Removes the lease and hands its slot to the head of
    /// the queue. Answers 1 released, 0 the lease had expired or was gone (nothing released), or {status, woken} (woken
    /// as <see cref="SemaphoreAcquire"/>'s).
    /// </summary>
    public static readonly RedisScript SemaphoreRelease =
        RedisScript.Load("semaphore-release", s_semaphore[..3], ["id", "channel"], Semaphore, Handoff);

    /// <summary>
    /// KEYS: holders, meta, waiters (as <see cref="SemaphoreAcquire"/>). ARGV: value, lease (ms), channel. An unbounded semaphore's release without
    /// a lease: adds a slot (it expires with the semaphore) and hands the free slots to the queue (every new holder is
    /// published). Answers 1, or {1, woken}.
    /// </summary>
    public static readonly RedisScript SemaphoreAdd =
        RedisScript.Load("semaphore-add", s_semaphore[..3], ["value", "lease", "channel"], Semaphore, Handoff);

    /// <summary>
    /// KEYS: holders, meta, waiters (as <see cref="SemaphoreAcquire"/>). ARGV: id, lease (ms). Answers 1 renewed; 0 the lease had expired or is gone.
    /// </summary>
    public static readonly RedisScript SemaphoreRenew =
        RedisScript.Load("semaphore-renew", s_semaphore[..3], ["id", "lease"], Semaphore);

    /// <summary>
    /// KEYS: holders, meta, waiters (as <see cref="SemaphoreAcquire"/>). ARGV: id, channel, place (the place expiry the waiter's last refused
    /// attempt answered). Leaves the queue; a slot handed to the waiter meanwhile goes on to the next. Answers 1 left
    /// the queue; 2 or {2, woken} gave back a handed slot; 0 neither.
    /// </summary>
    public static readonly RedisScript SemaphoreLeave =
        RedisScript.Load("semaphore-leave", s_semaphore[..3], ["id", "channel", "place"], Semaphore, Handoff);

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
        TokenBucketAcquire, TokenBucketAcquireEach, TokenBucketRelease, TokenBucketStats,
        SlidingWindowAcquire, SlidingWindowAcquireEach, SlidingWindowRelease, SlidingWindowStats,
        LeakyBucketAcquire, LeakyBucketCancel, LeakyBucketRelease, LeakyBucketStats,
        GetWithTtl, KeyValueIncrement,
        SemaphoreAcquire, SemaphoreRelease, SemaphoreAdd, SemaphoreRenew, SemaphoreLeave,
        LeaderAcquire, LeaderRenew, LeaderRelease,
        CircuitBreakerJoin, CircuitBreakerFailure, CircuitBreakerSuccess, CircuitBreakerTrial, CircuitBreakerRelease, CircuitBreakerSet,
    ];
}
