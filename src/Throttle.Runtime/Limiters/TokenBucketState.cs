using Throttle.Storage;

namespace Throttle.Limiters;

/// <summary>One key's token bucket: a fractional token balance and when it was last brought up to date.</summary>
internal sealed class TokenBucketState : MemoryEntry
{
    public TokenBucketState(string key, long now, double burst)
        : base(key, now)
    {
        Tokens = burst;
        Updated = now;
        Burst = burst;
    }

    /// <summary>Guarded by <c>lock (this)</c>.</summary>
    public double Tokens;

    /// <summary>TimeProvider timestamp of the last refill. Guarded by <c>lock (this)</c>.</summary>
    public long Updated;

    /// <summary>Capacity of the limiter that created the entry, so eviction can tell a full (idle) bucket.</summary>
    public double Burst;

    /// <summary>Refill rate in tokens per timestamp tick, as seen by the limiter that last touched the entry.</summary>
    public double RatePerTick;

    /// <summary>Adds the tokens earned since the last refill (elapsed × rate), capped at <paramref name="burst"/>.</summary>
    public void Refill(long now, double ratePerTick, double burst)
    {
        var elapsed = now - Updated;
        if (elapsed > 0)
        {
            var refilled = Tokens + (elapsed * ratePerTick);
            Tokens = refilled < burst ? refilled : burst;
            Updated = now;
        }

        RatePerTick = ratePerTick;
        Burst = burst;
        LastAccess = now;
    }

    public override bool IsExpired(long now)
    {
        var elapsed = now - Updated;
        return Tokens + (elapsed * RatePerTick) >= Burst;
    }
}
