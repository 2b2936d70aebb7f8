using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// The store of the heap-based queues: a binary min-heap on (key, arrival) under one lock that also counts the room
/// (back-pressure), a signal that waiting workers share, and the line of putters waiting for room (<see cref="RoomWaiters{T}"/>:
/// a freed slot goes to the oldest of them, never to a newcomer). Keys are priorities (negated, so that higher
/// runs first) or, for a timed buffer, due times in UTC ticks: a timed buffer hands out an item only once it is due,
/// and its workers (or the consumers of a pull queue) sleep on one <see cref="TimeProvider"/> timer set to the earliest
/// due time. An item leaves the heap only when a take returns it, so a cancelled take leaves every item in place.
/// </summary>
internal sealed class HeapBuffer<T> : IDisposable
{
    private const int Open = 0;
    private const int Completing = 1;
    private const int Closed = 2;

    private readonly object _lock = new();
    private readonly int _maxSize;
    private readonly TimeProvider _time;
    private readonly bool _timed;
    private readonly RoomWaiters<T> _waiters;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Entry[] _heap = new Entry[16];
    private int _count;
    private long _arrivals;
    private int _state;
    private TaskCompletionSource? _signal;
    private ITimer? _timer;
    private long _timerDue = long.MaxValue;

    public HeapBuffer(int maxSize, TimeProvider time, bool timed)
    {
        _maxSize = maxSize;
        _time = time;
        _timed = timed;
        _waiters = new RoomWaiters<T>(_lock);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Completes when the buffer accepts no more items and holds none (a drain is over).</summary>
    public Task Drained => _drained.Task;

    /// <summary>Adds when there is room; false when full.</summary>
    /// <exception cref="QueueStoppedException">The buffer no longer accepts items.</exception>
    public bool TryAdd(T item, long key)
    {
        lock (_lock)
        {
            return TryAddLocked(item, key);
        }
    }

    /// <summary>Adds, waiting for room.</summary>
    /// <exception cref="QueueStoppedException">The buffer no longer accepts items.</exception>
    public ValueTask AddAsync(T item, long key, CancellationToken cancellationToken) =>
        TryAdd(item, key) ? default : AddSlowAsync(item, key, cancellationToken);

    private async ValueTask AddSlowAsync(T item, long key, CancellationToken cancellationToken)
    {
        RoomWaiters<T>.Waiter waiter;
        lock (_lock)
        {
            if (TryAddLocked(item, key))
            {
                return;
            }

            waiter = _waiters.Join(item, key);
        }

        await _waiters.WaitAsync(waiter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a newcomer's item when there is room and nobody waits for it (waiters go first).</summary>
    private bool TryAddLocked(T item, long key)
    {
        if (_state != Open)
        {
            throw new QueueStoppedException();
        }

        if (_count >= _maxSize || !_waiters.IsEmpty)
        {
            return false;
        }

        InsertLocked(item, key);
        return true;
    }

    private void InsertLocked(T item, long key)
    {
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, Math.Min(_heap.Length * 2, Math.Max(_maxSize, 16)));
        }

        var index = _count;
        Volatile.Write(ref _count, index + 1);
        _heap[index] = new Entry(key, _arrivals++, item);
        var top = SiftUp(index) == 0;

        // A timed buffer's sleepers only care about a new earliest item; a plain one wakes them for any item.
        if (!_timed || top)
        {
            Pulse(ref _signal);
        }
    }

    /// <summary>A slot is free: the oldest waiter's item takes it, then that waiter (only) is woken.</summary>
    private void AdmitWaiterLocked()
    {
        if (_state == Open && _count < _maxSize && _waiters.TakeOldest() is { } waiter)
        {
            InsertLocked(waiter.Item, waiter.Key);
            waiter.TrySetResult();
        }
    }

    /// <summary>Takes an item that may run now. False with <paramref name="stopped"/>: the buffer was drained or closed.</summary>
    public bool TryTake(out T item, out bool stopped)
    {
        lock (_lock)
        {
            if (TryTakeLocked(out var result))
            {
                item = result.Item;
                stopped = !result.Ok;
                return result.Ok;
            }
        }

        item = default!;
        stopped = false;
        return false;
    }

    /// <summary>
    /// Waits for an item that may run now. False: the buffer was drained (completing) or closed; the worker exits.
    /// Cancelling ends the wait and removes nothing.
    /// </summary>
    public ValueTask<(bool Ok, T Item)> TakeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (TryTakeLocked(out var result))
            {
                return new ValueTask<(bool Ok, T Item)>(result);
            }
        }

        return TakeSlowAsync(cancellationToken);
    }

    private async ValueTask<(bool Ok, T Item)> TakeSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (TryTakeLocked(out var result))
                {
                    return result;
                }

                _signal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _signal.Task;
            }

            // The item is removed under the lock only when it is returned: a cancelled wait takes nothing.
            await (cancellationToken.CanBeCanceled ? wait.WaitAsync(cancellationToken) : wait).ConfigureAwait(false);
        }
    }

    /// <summary>True with the outcome (an item, or exit), or false when the worker must wait (the timer is armed if an item is pending).</summary>
    private bool TryTakeLocked(out (bool Ok, T Item) result)
    {
        result = default;
        if (_state == Closed)
        {
            return true;
        }

        if (_count > 0)
        {
            var key = _heap[0].Key;
            if (!_timed || key <= _time.GetUtcNow().UtcTicks || !ArmTimer(key))
            {
                result = (true, RemoveAtLocked(0));
                return true;
            }

            return false;
        }

        return _state == Completing;
    }

    /// <summary>Removes <paramref name="item"/> (by reference) if it is still waiting, in the buffer or in the line for room (whose put is then cancelled with <paramref name="token"/>).</summary>
    public bool TryRemove(T item, CancellationToken token = default)
    {
        lock (_lock)
        {
            if (_waiters.TryRemove(item, token))
            {
                return true;
            }

            for (var i = 0; i < _count; i++)
            {
                if (ReferenceEquals(_heap[i].Item, item))
                {
                    RemoveAtLocked(i);
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

            Pulse(ref _signal);
            _waiters.FailAll();
            SignalIfDrainedLocked();
        }
    }

    /// <summary>Refuses further items, makes workers exit, and returns what is left in run order.</summary>
    public List<T> TakeAll()
    {
        var items = new List<T>();
        lock (_lock)
        {
            _state = Closed;
            _waiters.FailAll();
            while (_count > 0)
            {
                items.Add(RemoveAtLocked(0));
            }

            Pulse(ref _signal);
            SignalIfDrainedLocked();
        }

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

    /// <summary>Wakes everyone waiting on <paramref name="signal"/> (continuations run asynchronously, outside the lock).</summary>
    private static void Pulse(ref TaskCompletionSource? signal)
    {
        var waiting = signal;
        signal = null;
        waiting?.TrySetResult();
    }

    /// <summary>Sets the timer to fire at <paramref name="due"/>; false when that time has already come (take the item now).</summary>
    private bool ArmTimer(long due)
    {
        if (_timerDue == due)
        {
            return true;
        }

        var now = _time.GetUtcNow().UtcTicks;
        if (due <= now)
        {
            return false;
        }

        _timerDue = due;
        if (_timer is null)
        {
            // Created already set, so a test clock that sees the timer appear sees it armed.
            _timer = _time.CreateTimer(static state => ((HeapBuffer<T>)state!).OnTimer(), this, WaitUntil(due, now), Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(WaitUntil(due, now), Timeout.InfiniteTimeSpan);
        }

        // A timer is set relative to the clock: had the clock moved on while it was set, it would fire that much late.
        var after = _time.GetUtcNow().UtcTicks;
        if (after != now)
        {
            if (due <= after)
            {
                _timerDue = long.MaxValue;
                return false;
            }

            _timer.Change(WaitUntil(due, after), Timeout.InfiniteTimeSpan);
        }

        return true;
    }

    // Timers take at most ~49 days; a later item re-arms the timer when it fires early.
    private static TimeSpan WaitUntil(long due, long now) => TimeSpan.FromTicks(Math.Min(due - now, QueueGuard.MaxTimeout.Ticks));

    private void OnTimer()
    {
        lock (_lock)
        {
            _timerDue = long.MaxValue;
            Pulse(ref _signal);
        }
    }

    private T RemoveAtLocked(int index)
    {
        var item = _heap[index].Item;
        var last = _count - 1;
        Volatile.Write(ref _count, last);
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

        // There is room now: it belongs to the oldest putter waiting for it.
        AdmitWaiterLocked();
        SignalIfDrainedLocked();
        return item;
    }

    private void SignalIfDrainedLocked()
    {
        if (_state != Open && _count == 0)
        {
            _drained.TrySetResult();
        }
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
