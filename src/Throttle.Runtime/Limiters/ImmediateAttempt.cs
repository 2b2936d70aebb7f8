namespace Throttle.Limiters;

/// <summary>
/// The outcome of <see cref="ThrottleLimiter.TryAcquireImmediately"/>: decided in process, synchronously, or left to the
/// storage's asynchronous path.
/// </summary>
internal enum ImmediateAttempt : byte
{
    /// <summary>This limiter (or its storage) decides only asynchronously: take the <see cref="System.Threading.Tasks.ValueTask"/> path.</summary>
    Unavailable,

    /// <summary>The tokens were taken.</summary>
    Acquired,

    /// <summary>The tokens were not available; the attempt's <c>retryAfter</c> says for how long.</summary>
    Rejected,
}
