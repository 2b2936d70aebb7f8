namespace Throttle.Storage.Memory;

/// <summary>One key's token bucket: a fractional token balance and when it was last brought up to date.</summary>
internal sealed class TokenBucketEntry : MemoryEntry
{
    public TokenBucketEntry(string key, long now, double burst, double ratePerTick)
        : base(key, now)
    {
        Tokens = burst;
        Updated = now;
        Burst = burst;
        RatePerTick = ratePerTick;
    }

    /// <summary>Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public double Tokens;

    /// <summary>Timestamp of the last refill. Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public long Updated;

    /// <summary>Capacity in force at the last touch, so eviction can tell a full (idle) bucket.</summary>
    public double Burst;

    /// <summary>Refill rate in tokens per timestamp tick, as of the last touch.</summary>
    public double RatePerTick;

    /// <summary>Adds the tokens earned since the last refill (elapsed × rate), capped at <paramref name="burst"/>.</summary>
    public void Refill(long now, double ratePerTick, double burst)
    {
        var elapsed = now - Updated;
        var refilled = elapsed > 0 ? Tokens + (elapsed * RatePerTick) : Tokens;
        if (elapsed > 0)
        {
            Updated = now;
        }

        // Capped on every touch: an adaptive limiter may have lowered the capacity since the last one.
        Tokens = refilled < burst ? refilled : burst;
        RatePerTick = ratePerTick;
        Burst = burst;
    }

    public override bool IsExpired(long now) => Tokens + ((now - Updated) * RatePerTick) >= Burst;
}
