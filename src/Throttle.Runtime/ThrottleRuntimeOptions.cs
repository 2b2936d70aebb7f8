using System;
using Throttle.Storage;

namespace Throttle;

/// <summary>Settings of a <see cref="ThrottleRuntime"/>.</summary>
public sealed partial class ThrottleRuntimeOptions
{
    private int _maxKeys = MemoryStorage.DefaultMaxSize;

    /// <summary>The clock. Default: the storage's clock, else <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Where limiter state lives (<see cref="MemoryStorage"/>, Redis or hybrid). Default: a new <see cref="MemoryStorage"/>
    /// of <see cref="MaxKeys"/> keys.
    /// </summary>
    public ThrottleStorage? Storage { get; set; }

    /// <summary>The size of the default in-memory storage, in keys. Default 100,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxKeys
    {
        get => _maxKeys;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxKeys = value;
        }
    }
}
