namespace Throttle.Storage.Memory;

/// <summary>One key's leaky bucket: a level that drains continuously, and when it was last brought up to date.</summary>
internal sealed class LeakyBucketEntry : MemoryEntry
{
    public LeakyBucketEntry(string key, long now, double leakPerTick)
        : base(key, now)
    {
        Updated = now;
        LeakPerTick = leakPerTick;
    }

    /// <summary>Guarded by <c>lock (this)</c>.</summary>
    public double Level;

    /// <summary>Timestamp of the last drain. Guarded by <c>lock (this)</c>.</summary>
    public long Updated;

    /// <summary>Leak rate in tokens per timestamp tick, as of the last touch.</summary>
    public double LeakPerTick;

    /// <summary><c>level = max(0, level − elapsed × leak rate)</c>.</summary>
    public void Drain(long now, double leakPerTick)
    {
        var elapsed = now - Updated;
        if (elapsed > 0)
        {
            var level = Level - (elapsed * LeakPerTick);
            Level = level > 0 ? level : 0;
            Updated = now;
        }

        LeakPerTick = leakPerTick;
    }

    public override bool IsExpired(long now) => Level - ((now - Updated) * LeakPerTick) <= 0;
}
