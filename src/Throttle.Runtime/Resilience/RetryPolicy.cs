using System;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Throttle.Policies;

namespace Throttle.Resilience;

/// <summary>
/// Checked retry settings and the delay formula of README.md, "Circuit breaker and retry", shared by <c>[Retry]</c> sites and <see cref="Backoff"/>:
/// delay = min(baseDelay × exponentialBase^attempt, maxDelay) with attempt counted from 0, then full jitter
/// (uniform in [0, delay]) when enabled. Polly's own exponential jitter ("decorrelated jitter v2") is a different
/// curve, so the retry strategy gets this formula through its <see cref="RetryStrategyOptions{TResult}.DelayGenerator"/>.
/// </summary>
internal sealed class RetryPolicy
{
    private static readonly Func<Exception, bool> s_defaultShouldHandle = static e => e is not OperationCanceledException;

    private RetryPolicy(int maxRetries, double baseDelaySeconds, double maxDelaySeconds, double exponentialBase, bool jitter, Func<Exception, bool> shouldHandle)
    {
        MaxRetries = maxRetries;
        BaseDelaySeconds = baseDelaySeconds;
        MaxDelaySeconds = maxDelaySeconds;
        ExponentialBase = exponentialBase;
        Jitter = jitter;
        ShouldHandle = shouldHandle;
    }

    public int MaxRetries { get; }

    public double BaseDelaySeconds { get; }

    public double MaxDelaySeconds { get; }

    public double ExponentialBase { get; }

    public bool Jitter { get; }

    public Func<Exception, bool> ShouldHandle { get; }

    /// <summary>
    /// Checks the options with <see cref="RetryOptions.Validate"/> and throws the first problem as an ArgumentException-family
    /// error; <paramref name="paramName"/> maps an option to the caller's parameter name (default: the option's name).
    /// </summary>
    public static RetryPolicy Create(RetryOptions options, Func<string, string>? paramName = null)
    {
        OptionRules.ThrowFirst(options.Validate(), paramName);
        return new RetryPolicy(
            options.MaxRetries, options.BaseDelaySeconds, options.MaxDelaySeconds, options.ExponentialBase, options.Jitter, options.ShouldHandle ?? s_defaultShouldHandle);
    }

    /// <summary>The delay before retry number <paramref name="attempt"/> + 1 (attempt counted from 0).</summary>
    /// <param name="attempt">Zero for the wait after the first failure.</param>
    /// <param name="nextDouble">Uniform random numbers in [0, 1); used only with jitter.</param>
    public TimeSpan Delay(int attempt, Func<double> nextDouble)
    {
        // Math.Pow overflows to +infinity for large attempts; Min then picks the maximum, never NaN (base >= 1, delay > 0).
        var seconds = Math.Min(BaseDelaySeconds * Math.Pow(ExponentialBase, attempt), MaxDelaySeconds);
        if (Jitter)
        {
            seconds *= nextDouble();
        }

        return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    /// <summary>Adds Polly's retry strategy with this policy to <paramref name="builder"/>; nothing when <see cref="MaxRetries"/> is 0.</summary>
    public ResiliencePipelineBuilder AddTo(ResiliencePipelineBuilder builder, Func<double>? nextDouble = null, Func<OnRetryArguments<object>, ValueTask>? onRetry = null)
    {
        if (MaxRetries == 0)
        {
            return builder;
        }

        var random = nextDouble ?? Random.Shared.NextDouble;
        var shouldHandle = ShouldHandle;
        return builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxRetries,
            ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is { } exception && shouldHandle(exception)),

            // The generator supplies every delay; Polly's own backoff is switched off so nothing else shapes it.
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.Zero,
            UseJitter = false,
            DelayGenerator = args => new ValueTask<TimeSpan?>(Delay(args.AttemptNumber, random)),
            OnRetry = onRetry,
        });
    }
}
