namespace Throttle.Storage.Memory;

/// <summary>
/// One key's leaky bucket as a schedule: when its queue empties and when the newest reserved call starts. The level is
/// <c>max(0, QueueEnd − now) × rate</c>. Times are timestamp ticks after <see cref="Origin"/>, kept small so a
/// <see langword="double"/> holds them to a fraction of a tick whatever the clock's epoch.
/// </summary>
internal sealed class LeakyBucketEntry : MemoryEntry
{
    public LeakyBucketEntry(string key, long now)
        : base(key, now)
    {
        Origin = now;
        Updated = now;
    }

    /// <summary>The timestamp the other times count from.</summary>
    public readonly long Origin;

    /// <summary>When the level reaches zero (the last reserved call has leaked out). Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public double QueueEnd;

    /// <summary>When the newest reserved call starts (may lie ahead). Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public double LastStart;

    /// <summary>Timestamp of the last change, for the stats' last update. Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public long Updated;

    /// <summary><paramref name="now"/> on the entry's own scale.</summary>
    public double Since(long now) => now - Origin;

    /// <summary>Empty and nobody waiting: indistinguishable from a fresh bucket.</summary>
    public override bool IsExpired(long now) => QueueEnd <= Since(now);
}
