using System;

namespace Throttle.Storage.Memory;

/// <summary>
/// One key's sliding-window log: the admitted requests of the last window, oldest first, in a growable ring buffer.
/// Each record is a timestamp and a weight (the tokens the request took), and the weights' sum is kept, so admission is
/// amortised O(1): expired records leave from the head, new ones join at the tail.
/// </summary>
internal sealed class SlidingWindowEntry : MemoryEntry
{
    private long[] _times = new long[4];
    private double[] _weights = new double[4];
    private int _head;
    private int _count;

    public SlidingWindowEntry(string key, long now, long window)
        : base(key, now)
    {
        Window = window;
    }

    /// <summary>The window in timestamp ticks, as of the last touch.</summary>
    public long Window;

    /// <summary>Sum of the weights in the log. Guarded by the entry's gate (<see cref="MemoryEntry.Hold"/>).</summary>
    public double Used { get; private set; }

    /// <summary>Timestamp of the newest record; meaningless when the log is empty.</summary>
    public long Newest => _times[(_head + _count - 1) & (_times.Length - 1)];

    public int Count => _count;

    /// <summary>Drops the records at or before <c>now − window</c>.</summary>
    public void Prune(long now)
    {
        var cutoff = now - Window;
        var mask = _times.Length - 1;
        while (_count > 0 && _times[_head] <= cutoff)
        {
            Used -= _weights[_head];
            _head = (_head + 1) & mask;
            _count--;
        }

        if (_count == 0)
        {
            // Re-zero so rounding errors of the running sum cannot accumulate.
            Used = 0;
        }
    }

    public void Add(long now, double weight)
    {
        if (_count == _times.Length)
        {
            Grow();
        }

        // Under concurrency a caller's clock reading may precede the newest record by a few ticks; keep the log sorted.
        if (_count > 0 && now < Newest)
        {
            now = Newest;
        }

        var tail = (_head + _count) & (_times.Length - 1);
        _times[tail] = now;
        _weights[tail] = weight;
        _count++;
        Used += weight;
    }

    /// <summary>Takes up to <paramref name="weight"/> back from the newest records.</summary>
    public void RemoveNewest(double weight)
    {
        var mask = _times.Length - 1;
        while (weight > 0 && _count > 0)
        {
            var tail = (_head + _count - 1) & mask;
            if (_weights[tail] <= weight)
            {
                weight -= _weights[tail];
                Used -= _weights[tail];
                _count--;
            }
            else
            {
                _weights[tail] -= weight;
                Used -= weight;
                weight = 0;
            }
        }

        if (_count == 0)
        {
            Used = 0;
        }
    }

    /// <summary>
    /// The timestamp at which enough old records will have left the window for <paramref name="needed"/> more weight
    /// to fit, or <see langword="null"/> if even an empty log would not fit it.
    /// </summary>
    public long? FreedAt(double needed)
    {
        var mask = _times.Length - 1;
        var freed = 0.0;
        for (var i = 0; i < _count; i++)
        {
            var index = (_head + i) & mask;
            freed += _weights[index];
            if (freed + 1e-9 >= needed)
            {
                return _times[index] + Window;
            }
        }

        return null;
    }

    public override bool IsExpired(long now) => _count == 0 || Newest <= now - Window;

    private void Grow()
    {
        var length = _times.Length * 2;
        if (length <= 0 || length > Array.MaxLength)
        {
            throw new InvalidOperationException("The sliding window log cannot hold more requests.");
        }

        var times = new long[length];
        var weights = new double[length];
        var mask = _times.Length - 1;
        for (var i = 0; i < _count; i++)
        {
            times[i] = _times[(_head + i) & mask];
            weights[i] = _weights[(_head + i) & mask];
        }

        _times = times;
        _weights = weights;
        _head = 0;
    }
}
