using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// The store of the heap-based queues: a binary min-heap on (key, arrival) under a lock, a semaphore counting free
/// room (back-pressure), and one signal that waiting workers share. Keys are priorities (negated, so that higher
/// runs first) or, for a timed buffer, due times in UTC ticks: a timed buffer hands out an item only once it is due,
/// and its workers sleep on one <see cref="TimeProvider"/> timer set to the earliest due time.
/// </summary>
internal sealed class HeapBuffer<T> : IDisposable
{
    private const int Open = 0;
    private const int Completing = 1;
    private const int Closed = 2;

    private readonly object _lock = new();
    private readonly SemaphoreSlim _room;
    private readonly CancellationTokenSource _closed = new();
    private readonly TimeProvider _time;
    private readonly bool _timed;
    private Entry[] _heap = new Entry[16];
    private int _count;
    private long _arrivals;
    private int _state;
    private TaskCompletionSource? _signal;
    private ITimer? _timer;
    private long _timerDue = long.MaxValue;

    public HeapBuffer(int maxSize, TimeProvider time, bool timed)
    {
        _room = new SemaphoreSlim(maxSize, maxSize);
        _time = time;
        _timed = timed;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds when there is room; false when full.</summary>
    /// <exception cref="QueueStoppedException">The buffer no longer accepts items.</exception>
    public bool TryAdd(T item, long key)
    {
        if (!_room.Wait(0))
        {
            ThrowIfNotOpen();
            return false;
        }

        AddCore(item, key);
        return true;
    }

    /// <summary>Adds, waiting for room.</summary>
    /// <exception cref="QueueStoppedException">The buffer no longer accepts items.</exception>
    public ValueTask AddAsync(T item, long key, CancellationToken cancellationToken)
    {
        if (_room.Wait(0, CancellationToken.None))
        {
            AddCore(item, key);
            return default;
        }

        return AddSlowAsync(item, key, cancellationToken);
    }

    private async ValueTask AddSlowAsync(T item, long key, CancellationToken cancellationToken)
    {
        ThrowIfNotOpen();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _room.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueueStoppedException();
        }

        AddCore(item, key);
    }

    private void AddCore(T item, long key)
    {
        lock (_lock)
        {
            if (_state != Open)
            {
                _room.Release();
                throw new QueueStoppedException();
            }

            if (_count == _heap.Length)
            {
                Array.Resize(ref _heap, _heap.Length * 2);
            }

            var index = _count++;
            _heap[index] = new Entry(key, _arrivals++, item);
            var top = SiftUp(index) == 0;

            // A timed buffer's sleepers only care about a new earliest item; a plain one wakes them for any item.
            if (!_timed || top)
            {
                Pulse();
            }
        }
    }

    /// <summary>Waits for an item a worker may run. False: the buffer was drained (completing) or closed; the worker exits.</summary>
    public async ValueTask<(bool Ok, T Item)> TakeAsync()
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_state == Closed)
                {
                    return (false, default!);
                }

                if (_count > 0)
                {
                    var key = _heap[0].Key;
                    if (!_timed || key <= _time.GetUtcNow().UtcTicks)
                    {
                        var item = RemoveAtCore(0);
                        _room.Release();
                        return (true, item);
                    }

                    ArmTimer(key);
                }
                else if (_state == Completing)
                {
                    return (false, default!);
                }

                _signal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _signal.Task;
            }

            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>Removes <paramref name="item"/> (by reference) if it is still waiting.</summary>
    public bool TryRemove(T item)
    {
        lock (_lock)
        {
            for (var i = 0; i < _count; i++)
            {
                if (ReferenceEquals(_heap[i].Item, item))
                {
                    RemoveAtCore(i);
                    _room.Release();
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Refuses further items; workers run what is left, then exit.</summary>
    public void CompleteAdding()
    {
        lock (_lock)
        {
            if (_state == Open)
            {
                _state = Completing;
            }

            Pulse();
        }

        _closed.Cancel();
    }

    /// <summary>Refuses further items, makes workers exit, and returns what is left in run order.</summary>
    public List<T> TakeAll()
    {
        var items = new List<T>();
        lock (_lock)
        {
            _state = Closed;
            while (_count > 0)
            {
                items.Add(RemoveAtCore(0));
            }

            Pulse();
        }

        if (items.Count > 0)
        {
            _room.Release(items.Count);
        }

        _closed.Cancel();
        return items;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Pulse()
    {
        var signal = _signal;
        _signal = null;
        signal?.TrySetResult();
    }

    private void ArmTimer(long due)
    {
        if (_timerDue == due)
        {
            return;
        }

        _timerDue = due;
        _timer ??= _time.CreateTimer(static state => ((HeapBuffer<T>)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // Timers take at most ~49 days; a later item re-arms the timer when it fires early.
        var wait = Math.Clamp(due - _time.GetUtcNow().UtcTicks, 1, QueueGuard.MaxTimeout.Ticks);
        _timer.Change(TimeSpan.FromTicks(wait), Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            _timerDue = long.MaxValue;
            Pulse();
        }
    }

    private void ThrowIfNotOpen()
    {
        if (Volatile.Read(ref _state) != Open)
        {
            throw new QueueStoppedException();
        }
    }

    private T RemoveAtCore(int index)
    {
        var item = _heap[index].Item;
        var last = --_count;
        if (index != last)
        {
            _heap[index] = _heap[last];
            _heap[last] = default;
            if (SiftUp(index) == index)
            {
                SiftDown(index);
            }
        }
        else
        {
            _heap[last] = default;
        }

        return item;
    }

    private int SiftUp(int index)
    {
        var entry = _heap[index];
        while (index > 0)
        {
            var parent = (index - 1) >> 1;
            if (!Less(entry, _heap[parent]))
            {
                break;
            }

            _heap[index] = _heap[parent];
            index = parent;
        }

        _heap[index] = entry;
        return index;
    }

    private void SiftDown(int index)
    {
        var entry = _heap[index];
        while (true)
        {
            var child = (index << 1) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && Less(_heap[child + 1], _heap[child]))
            {
                child++;
            }

            if (!Less(_heap[child], entry))
            {
                break;
            }

            _heap[index] = _heap[child];
            index = child;
        }

        _heap[index] = entry;
    }

    private static bool Less(in Entry a, in Entry b) => a.Key < b.Key || (a.Key == b.Key && a.Arrival < b.Arrival);

    private readonly record struct Entry(long Key, long Arrival, T Item);
}
