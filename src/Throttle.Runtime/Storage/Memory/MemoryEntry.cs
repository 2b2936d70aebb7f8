using System.Runtime.CompilerServices;
using System.Threading;

namespace Throttle.Storage;

/// <summary>
/// Base of every value a <see cref="MemoryStorage"/> keyspace holds. Carries what eviction needs, and the gate that
/// guards the entry's own state (<see cref="Hold"/>), so one key never blocks another.
/// </summary>
/// <remarks>
/// The gate is one word taken with a compare-and-swap and given back with a plain store: an uncontended acquire costs
/// one atomic instruction where a monitor costs two plus the thread's identity. Every section it guards is a few
/// arithmetic steps, so a waiter spins (yielding, then sleeping, as <see cref="SpinWait"/> does) rather than parks.
/// Not reentrant: code holding an entry never takes it again.
/// </remarks>
internal abstract class MemoryEntry
{
    private int _gate;

    protected MemoryEntry(string key, long now)
    {
        Key = key;
        LastAccess = now;
    }

    public string Key { get; }

    /// <summary>TimeProvider timestamp of the last read or write; the LRU order.</summary>
    public long LastAccess;

    /// <summary>The keyspace holding the entry (set before it is published), so a sweep can remove it without a lookup table.</summary>
    public IMemoryKeyspace? Owner;

    /// <summary>Set (with the entry held) once the entry has left its keyspace; users of a stale reference look it up again.</summary>
    public bool Removed;

    /// <summary>Whether the entry is now indistinguishable from a fresh one (or past its TTL), so dropping it changes nothing.</summary>
    public abstract bool IsExpired(long now);

    /// <summary>Takes the entry's gate until the returned scope is disposed: <c>using (entry.Hold()) { … }</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Held Hold()
    {
        Enter();
        return new Held(this);
    }

    /// <summary>Takes the entry's gate, waiting while another thread holds it; give it back with <see cref="Exit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _gate, 1, 0) != 0)
        {
            EnterContended();
        }
    }

    /// <summary>Gives the gate back (a release store: the guarded writes are visible to the next holder).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _gate, 0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended()
    {
        var spinner = default(SpinWait);
        do
        {
            spinner.SpinOnce();
        }
        while (Volatile.Read(ref _gate) != 0 || Interlocked.CompareExchange(ref _gate, 1, 0) != 0);
    }

    /// <summary>The held gate of <see cref="Hold"/>; disposing it gives the gate back.</summary>
    public readonly ref struct Held
    {
        private readonly MemoryEntry _entry;

        public Held(MemoryEntry entry) => _entry = entry;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose() => _entry.Exit();
    }
}
