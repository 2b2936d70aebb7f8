using System;

namespace Throttle.Telemetry;

/// <summary>
/// A bounded-memory quantile estimator in the manner of DDSketch (Masson, Rim and Lee, VLDB 2019): a value x > 0 is
/// counted in bucket <c>ceil(log_γ x)</c> with <c>γ = (1 + α) / (1 − α)</c>, so every bucket's representative
/// <c>2γ^i / (γ + 1)</c> lies within the relative accuracy α (1 %) of every value in it, and any quantile read from the
/// buckets is within α of the exact one. Buckets are dense counters over a window of at most <see cref="MaxBuckets"/>
/// indices; when the values span more, the lowest buckets are merged into the lowest kept one (the collapsing-lowest
/// store), which only coarsens the smallest values, never the high percentiles. Memory is therefore constant however
/// many values are recorded: at most <see cref="MaxBuckets"/> longs (2048 buckets cover 1 ns to 10^8 s at 1 %).
/// Values at or below <see cref="MinIndexableValue"/> (zero included) are counted as zero.
/// </summary>
/// <remarks>Not thread-safe: the owner serialises access.</remarks>
internal sealed class LogBucketHistogram
{
    /// <summary>The relative accuracy of every quantile.</summary>
    public const double RelativeAccuracy = 0.01;

    /// <summary>The most buckets kept.</summary>
    public const int MaxBuckets = 2048;

    /// <summary>Values at or below this count as zero.</summary>
    public const double MinIndexableValue = 1e-9;

    private const int InitialBuckets = 64;

    private static readonly double s_gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double s_logGamma = Math.Log(s_gamma);

    private long[] _counts = new long[InitialBuckets];
    private int _offset;        // the bucket index of _counts[0]
    private int _minIndex = int.MaxValue;
    private int _maxIndex = int.MinValue;
    private long _zeroCount;

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The sum of the values recorded.</summary>
    public double Sum { get; private set; }

    /// <summary>The smallest value recorded (exact).</summary>
    public double Min { get; private set; } = double.PositiveInfinity;

    /// <summary>The largest value recorded (exact).</summary>
    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>The buckets' storage now, in counters: never above <see cref="MaxBuckets"/>.</summary>
    public int Capacity => _counts.Length;

    /// <summary>The arithmetic mean, exact; NaN when empty.</summary>
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Counts <paramref name="value"/>: finite and not negative (callers check).</summary>
    public void Record(double value)
    {
        Count++;
        Sum += value;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        if (value <= MinIndexableValue)
        {
            _zeroCount++;
            return;
        }

        var index = (int)Math.Ceiling(Math.Log(value) / s_logGamma);
        Add(index);
    }

    /// <summary>
    /// The value at quantile <paramref name="q"/> (0 to 1): the value of rank <c>floor(q × (Count − 1))</c> in sorted
    /// order, within <see cref="RelativeAccuracy"/> (clamped to the exact minimum and maximum). NaN when empty.
    /// </summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Floor(q * (Count - 1));
        if (rank < _zeroCount)
        {
            return Math.Max(0, Min);
        }

        var seen = _zeroCount;
        for (var index = _minIndex; index <= _maxIndex; index++)
        {
            seen += _counts[index - _offset];
            if (seen > rank)
            {
                var estimate = 2 * Math.Pow(s_gamma, index) / (s_gamma + 1);
                return Math.Clamp(estimate, Min, Max);
            }
        }

        return Max;
    }

    private void Add(int index)
    {
        if (_minIndex == int.MaxValue)
        {
            // First bucket: centre the window on it so it can grow both ways without moving.
            _offset = index - (_counts.Length / 2);
            _minIndex = _maxIndex = index;
        }
        else if (index < _minIndex || index > _maxIndex)
        {
            index = Extend(index);
        }

        _counts[index - _offset]++;
    }

    /// <summary>Makes room for <paramref name="index"/>; returns the bucket it is counted in (the lowest kept one when the window is full).</summary>
    private int Extend(int index)
    {
        var newMin = Math.Min(index, _minIndex);
        var newMax = Math.Max(index, _maxIndex);
        long merged = 0;
        if (newMax - newMin + 1 > MaxBuckets)
        {
            // Keep the highest MaxBuckets indices; the buckets below are merged into the lowest kept one.
            newMin = newMax - MaxBuckets + 1;
            for (var i = _minIndex; i < newMin && i <= _maxIndex; i++)
            {
                merged += _counts[i - _offset];
                _counts[i - _offset] = 0;
            }

            index = Math.Max(index, newMin);
        }

        EnsureWindow(newMin, newMax);
        _minIndex = newMin;
        _maxIndex = newMax;
        _counts[newMin - _offset] += merged;
        return index;
    }

    /// <summary>Makes [min, max] addressable, re-centring or growing the array (never beyond <see cref="MaxBuckets"/>).</summary>
    private void EnsureWindow(int min, int max)
    {
        if (min - _offset >= 0 && max - _offset < _counts.Length)
        {
            return;
        }

        var span = max - min + 1;
        var length = _counts.Length;
        while (length < span)
        {
            length *= 2;
        }

        length = Math.Min(Math.Max(length, span), MaxBuckets);
        var counts = new long[length];
        var newOffset = min - ((length - span) / 2);
        if (_minIndex <= _maxIndex)
        {
            for (var i = _minIndex; i <= _maxIndex; i++)
            {
                if (i - newOffset >= 0 && i - newOffset < length)
                {
                    counts[i - newOffset] = _counts[i - _offset];
                }
            }
        }

        _counts = counts;
        _offset = newOffset;
    }
}
