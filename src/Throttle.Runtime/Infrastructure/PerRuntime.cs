using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Throttle.Infrastructure;

/// <summary>
/// What a site resolves once per <see cref="ThrottleRuntime"/> (its limiter, queue, pipeline or semaphore): resolved on
/// a runtime's first use, then found by reference. A few runtimes are remembered, so two hosts calling one method in
/// turn (two test hosts in one process) find theirs without resolving or allocating again.
/// A mutable struct held in a site's field: call <see cref="Get{TState}"/> on the field itself, never on a copy.
/// </summary>
/// <typeparam name="T">What is resolved.</typeparam>
internal struct PerRuntime<T>
    where T : class
{
    /// <summary>How many runtimes a site remembers; more are resolved again (the runtime caches what it hands out).</summary>
    internal const int Capacity = 4;

    // Newest first; replaced whole (never changed in place), so a reader sees a consistent array without a lock.
    private Entry[]? _entries;

    // The array's first entry, held on its own so the hot check is one load and a compare (no array, no bounds check).
    private Entry? _newest;

    /// <summary>
    /// The value for <paramref name="runtime"/> (null: <see cref="ThrottleRuntime.Current"/>, read only then);
    /// <paramref name="resolve"/> runs only for a runtime not remembered.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get<TState>(ThrottleRuntime? runtime, TState state, Func<ThrottleRuntime, TState, T> resolve)
    {
        runtime ??= ThrottleRuntime.Current;

        // The newest runtime first, inline: the one a process (or a test) is using now. An entry is immutable, so the
        // runtime and value read from it belong together.
        var newest = Volatile.Read(ref _newest);
        if (newest is not null && ReferenceEquals(newest.Runtime, runtime))
        {
            return newest.Value;
        }

        return Find(Volatile.Read(ref _entries), runtime, state, resolve);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T Find<TState>(Entry[]? entries, ThrottleRuntime runtime, TState state, Func<ThrottleRuntime, TState, T> resolve)
    {
        if (entries is not null)
        {
            foreach (var entry in entries)
            {
                if (ReferenceEquals(entry.Runtime, runtime))
                {
                    return entry.Value;
                }
            }
        }

        return Add(entries, runtime, resolve(runtime, state));
    }

    private T Add(Entry[]? entries, ThrottleRuntime runtime, T value)
    {
        // Two threads may both resolve one runtime; the runtime hands both the same instance, so either write is right,
        // and a runtime lost to a racing write is only resolved again.
        var count = entries is null ? 0 : Math.Min(entries.Length, Capacity - 1);
        var next = new Entry[count + 1];
        next[0] = new Entry(runtime, value);
        if (count > 0)
        {
            Array.Copy(entries!, 0, next, 1, count);
        }

        Volatile.Write(ref _entries, next);
        Volatile.Write(ref _newest, next[0]);
        return value;
    }

    private sealed class Entry(ThrottleRuntime runtime, T value)
    {
        public readonly ThrottleRuntime Runtime = runtime;

        public readonly T Value = value;
    }
}
