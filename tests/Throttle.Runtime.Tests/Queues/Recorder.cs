using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Throttle.Tests.Queues;

/// <summary>Records what a queue's handler saw, in order, and lets a test await the n-th record (30 s safety bound, never asserted on).</summary>
internal sealed class Recorder<T>
{
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    private readonly Channel<T> _seen = Channel.CreateUnbounded<T>();
    private readonly ConcurrentQueue<T> _all = new();

    public IReadOnlyCollection<T> All => _all;

    public ValueTask Add(T item)
    {
        _all.Enqueue(item);
        _seen.Writer.TryWrite(item);
        return default;
    }

    public ValueTask Record(T item, CancellationToken cancellationToken) => Add(item);

    /// <summary>The next <paramref name="count"/> records, in order.</summary>
    public async Task<List<T>> NextAsync(int count)
    {
        var items = new List<T>();
        using var safety = new CancellationTokenSource(Safety);
        while (items.Count < count)
        {
            items.Add(await _seen.Reader.ReadAsync(safety.Token));
        }

        return items;
    }

    public bool TryNext(out T item) => _seen.Reader.TryRead(out item!);
}

internal static class TaskSafety
{
    /// <summary>Awaits <paramref name="task"/> with a generous failure guard instead of hanging the run.</summary>
    public static Task Safe(this Task task) => task.WaitAsync(Recorder<object>.Safety);

    public static Task<T> Safe<T>(this Task<T> task) => task.WaitAsync(Recorder<object>.Safety);

    public static Task Safe(this ValueTask task) => task.AsTask().WaitAsync(Recorder<object>.Safety);

    public static Task<T> Safe<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Recorder<object>.Safety);
}
