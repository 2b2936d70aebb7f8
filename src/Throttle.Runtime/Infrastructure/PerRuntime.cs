using System;
using System.Threading;

namespace Throttle.Infrastructure;

/// <summary>
/// What a site resolves once per <see cref="ThrottleRuntime"/> (its limiter, queue, pipeline or semaphore): resolved on
/// first use and again only when <see cref="ThrottleRuntime.Current"/> is another runtime (a test's scope, say).
/// A mutable struct held in a site's field: call <see cref="Get{TState}"/> on the field itself, never on a copy.
/// </summary>
/// <typeparam name="T">What is resolved.</typeparam>
internal struct PerRuntime<T>
    where T : class
{
    private Entry? _entry;

    /// <summary>The value for the current runtime; <paramref name="resolve"/> runs only when the runtime changed.</summary>
    public T Get<TState>(TState state, Func<ThrottleRuntime, TState, T> resolve)
    {
        var runtime = ThrottleRuntime.Current;
        var entry = Volatile.Read(ref _entry);
        if (entry is null || !ReferenceEquals(entry.Runtime, runtime))
        {
            // Two threads may both resolve on a change; the runtime hands both the same instance, so either write is right.
            entry = new Entry(runtime, resolve(runtime, state));
            Volatile.Write(ref _entry, entry);
        }

        return entry.Value;
    }

    private sealed class Entry(ThrottleRuntime runtime, T value)
    {
        public ThrottleRuntime Runtime { get; } = runtime;

        public T Value { get; } = value;
    }
}
