using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Limiters.Backends;
using Throttle.Storage;

namespace Throttle.Limiters;

/// <summary>
/// A token bucket whose rate follows the health of what it protects (AIMD): callers report each operation's outcome
/// with <see cref="ReportSuccess"/> / <see cref="ReportError"/>; every window the error rate decides between an additive
/// increase and a multiplicative decrease of <see cref="CurrentRate"/>.
/// </summary>
/// <remarks>
/// <para>
/// Algorithm (README.md, "Limiters"): every <see cref="Window"/> seconds, <c>errorRate = errors / (successes + errors)</c>; when it
/// exceeds <see cref="ErrorThreshold"/> the rate is multiplied by <see cref="DecreaseFactor"/>, otherwise
/// <see cref="IncreaseStep"/> is added; the result is kept within [<see cref="MinRate"/>, <see cref="MaxRate"/>] and the
/// counts start again. A window without any report leaves the rate unchanged (there is no error rate to compute).
/// </para>
/// <para>
/// Evaluation is lazy, not a timer: the first call (acquire, report or <see cref="CurrentRate"/>) after a window has
/// ended evaluates it, using the storage's <see cref="TimeProvider"/>. Windows stay aligned to the limiter's creation,
/// and windows that passed with no call count as windows without reports.
/// </para>
/// <para>
/// Admission is a token bucket per key refilling at <see cref="CurrentRate"/> tokens per second with a capacity of one
/// second's worth (<see cref="CurrentRate"/> tokens). The rate is process-local (it reflects this process's reports);
/// the buckets live in the storage. <see cref="Capacity"/> is <see cref="MaxRate"/>: a request above the current rate
/// is rejected with a RetryAfter until the rate grows enough.
/// </para>
/// </remarks>
public sealed class AdaptiveLimiter : ThrottleLimiter
{
    private readonly ILimiterBackend _backend;
    private readonly object _gate = new();
    private readonly long _windowTicks;
    private long _windowStart;
    private long _successes;
    private long _errors;
    private long _adjustments;
    private double _currentRate;

    /// <summary>Creates an adaptive limiter.</summary>
    /// <param name="initialRate">The starting rate in requests per second; within [<paramref name="minRate"/>, <paramref name="maxRate"/>].</param>
    /// <param name="minRate">The lowest rate; positive and finite.</param>
    /// <param name="maxRate">The highest rate; finite and at least <paramref name="minRate"/>.</param>
    /// <param name="increaseStep">Added to the rate after a healthy window; positive and finite.</param>
    /// <param name="decreaseFactor">Multiplies the rate after an unhealthy window; greater than 0 and less than 1.</param>
    /// <param name="errorThreshold">The error rate above which a window is unhealthy; from 0 to 1.</param>
    /// <param name="window">The evaluation window in seconds; positive and finite.</param>
    /// <param name="storage">Where the buckets live. Default: a new <see cref="MemoryStorage"/>.</param>
    /// <param name="scope">Namespace of the buckets.</param>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is null or empty.</exception>
    public AdaptiveLimiter(
        double initialRate = 100,
        double minRate = 10,
        double maxRate = 1000,
        double increaseStep = 1.0,
        double decreaseFactor = 0.5,
        double errorThreshold = 0.1,
        double window = 60.0,
        ThrottleStorage? storage = null,
        string scope = "default")
        : base(scope, (storage ??= new MemoryStorage()).TimeProvider)
    {
        MinRate = Guard.PositiveFinite(minRate, nameof(minRate));
        MaxRate = Guard.PositiveFinite(maxRate, nameof(maxRate));
        if (maxRate < minRate)
        {
            throw new ArgumentOutOfRangeException(nameof(maxRate), maxRate, $"maxRate must be at least minRate ({minRate}).");
        }

        Guard.PositiveFinite(initialRate, nameof(initialRate));
        if (initialRate < minRate || initialRate > maxRate)
        {
            throw new ArgumentOutOfRangeException(
                nameof(initialRate), initialRate, $"initialRate must be within [minRate, maxRate] = [{minRate}, {maxRate}].");
        }

        IncreaseStep = Guard.PositiveFinite(increaseStep, nameof(increaseStep));
        if (!(decreaseFactor > 0 && decreaseFactor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decreaseFactor), decreaseFactor, "decreaseFactor must be greater than 0 and less than 1.");
        }

        if (!(errorThreshold >= 0 && errorThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(errorThreshold), errorThreshold, "errorThreshold must be from 0 to 1.");
        }

        Window = Guard.PositiveFinite(window, nameof(window));
        if (window >= TimeSpan.MaxValue.TotalSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "window must be shorter than TimeSpan.MaxValue.");
        }

        InitialRate = initialRate;
        DecreaseFactor = decreaseFactor;
        ErrorThreshold = errorThreshold;
        Storage = storage;
        _currentRate = initialRate;
        _windowTicks = Math.Max(1, (long)Math.Ceiling(window * TimeProvider.TimestampFrequency));
        _windowStart = TimeProvider.GetTimestamp();
        _backend = storage.CreateLimiterBackend(
            new LimiterDefinition(LimiterAlgorithm.TokenBucket, scope, initialRate, initialRate, TimeSpan.Zero));
    }

    /// <summary>Raised after each adjustment of <see cref="CurrentRate"/>, on the thread whose call evaluated the window.</summary>
    public event EventHandler<AdaptiveRateChangedEventArgs>? RateChanged;

    /// <summary>The starting rate.</summary>
    public double InitialRate { get; }

    /// <summary>The lowest rate.</summary>
    public double MinRate { get; }

    /// <summary>The highest rate.</summary>
    public double MaxRate { get; }

    /// <summary>Added to the rate after a healthy window.</summary>
    public double IncreaseStep { get; }

    /// <summary>Multiplies the rate after an unhealthy window.</summary>
    public double DecreaseFactor { get; }

    /// <summary>The error rate above which a window is unhealthy.</summary>
    public double ErrorThreshold { get; }

    /// <summary>The evaluation window in seconds.</summary>
    public double Window { get; }

    /// <summary>Where the buckets live.</summary>
    public ThrottleStorage Storage { get; }

    /// <summary>The rate in force now, in requests per second (evaluates a finished window first).</summary>
    public double CurrentRate
    {
        get
        {
            EvaluateIfDue();
            return Volatile.Read(ref _currentRate);
        }
    }

    /// <summary>How many times the rate has been adjusted (an evaluated window that left it unchanged at a bound counts too).</summary>
    public long Adjustments => Interlocked.Read(ref _adjustments);

    /// <summary>The most tokens one key can ever hold: <see cref="MaxRate"/>.</summary>
    public override double Capacity => MaxRate;

    /// <summary>Reports that an operation succeeded.</summary>
    public void ReportSuccess()
    {
        EvaluateIfDue();
        Interlocked.Increment(ref _successes);
    }

    /// <summary>Reports that an operation failed.</summary>
    public void ReportError()
    {
        EvaluateIfDue();
        Interlocked.Increment(ref _errors);
    }

    /// <inheritdoc />
    internal override bool DecisionsCarryQuota => true;

    /// <inheritdoc />
    protected override ValueTask<RateLimitDecision> AttemptAcquireCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.TryAcquireAsync(key, tokens, CurrentLimiterRate(), cancellationToken);

    /// <inheritdoc />
    protected override ValueTask ReleaseCoreAsync(string key, double tokens, CancellationToken cancellationToken) =>
        _backend.ReleaseAsync(key, tokens, CurrentLimiterRate(), cancellationToken);

    /// <inheritdoc />
    protected override ValueTask<LimiterStats> GetStatsCoreAsync(string key, CancellationToken cancellationToken) =>
        _backend.GetStatsAsync(key, CurrentLimiterRate(), cancellationToken);

    private LimiterRate CurrentLimiterRate()
    {
        var rate = CurrentRate;
        return new LimiterRate(rate, rate);
    }

    private void EvaluateIfDue()
    {
        if (TimeProvider.GetTimestamp() - Volatile.Read(ref _windowStart) >= _windowTicks)
        {
            Evaluate();
        }
    }

    private void Evaluate()
    {
        AdaptiveRateChangedEventArgs? changed = null;
        lock (_gate)
        {
            var now = TimeProvider.GetTimestamp();
            var elapsed = now - _windowStart;
            if (elapsed < _windowTicks)
            {
                return;
            }

            // The counts belong to the first ended window; any later ended windows had no reports.
            var successes = Interlocked.Exchange(ref _successes, 0);
            var errors = Interlocked.Exchange(ref _errors, 0);
            Volatile.Write(ref _windowStart, _windowStart + (elapsed / _windowTicks * _windowTicks));
            var total = successes + errors;
            if (total == 0)
            {
                return;
            }

            var errorRate = (double)errors / total;
            var previous = _currentRate;
            var next = errorRate > ErrorThreshold ? previous * DecreaseFactor : previous + IncreaseStep;
            next = Math.Clamp(next, MinRate, MaxRate);
            Volatile.Write(ref _currentRate, next);
            Interlocked.Increment(ref _adjustments);
            changed = new AdaptiveRateChangedEventArgs(previous, next, errorRate);
        }

        RateChanged?.Invoke(this, changed);
    }
}
