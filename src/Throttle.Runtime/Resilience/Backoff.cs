using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Throttle.Policies;

namespace Throttle.Resilience;

/// <summary>
/// Calls a function and retries it with exponential backoff and full jitter (README.md, "Circuit breaker and retry"), on
/// Polly's retry strategy: the wait before retry n (n from 0) is min(baseDelay × exponentialBase^n, maxDelay), drawn
/// uniformly from [0, that] when <c>jitter</c> is on. Only the listed exception types (and their subclasses) are retried;
/// any other exception, and the last failure once the retries are used up, propagates. Cancelling stops a wait at once.
/// </summary>
public static class Backoff
{
    /// <summary>Runs <paramref name="func"/>, retrying it on the <paramref name="exceptions"/> types.</summary>
    /// <typeparam name="T">The function's result.</typeparam>
    /// <param name="func">The work; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="maxRetries">Retries after the first attempt; zero or more. Default <see cref="RetryOptions.DefaultMaxRetries"/> (5).</param>
    /// <param name="baseDelay">The delay before the first retry; positive. Default <see cref="RetryOptions.DefaultBaseDelaySeconds"/> (1 second).</param>
    /// <param name="maxDelay">The longest delay; positive, at most <see cref="RetryOptions.MaxDelayLimitSeconds"/> (about 49.7 days, a timer's limit). Default <see cref="RetryOptions.DefaultMaxDelaySeconds"/> (60 seconds).</param>
    /// <param name="exponentialBase">Growth factor per attempt; finite and at least 1. Default <see cref="RetryOptions.DefaultExponentialBase"/> (2).</param>
    /// <param name="jitter">Draw each delay uniformly from [0, delay]. Default <see langword="true"/>.</param>
    /// <param name="exceptions">Exception types to retry; null means every exception except <see cref="OperationCanceledException"/>; empty means none.</param>
    /// <param name="timeProvider">The clock that drives the waits. Default <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">Stops the work and any wait.</param>
    /// <returns>The result of the first attempt that succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count, delay or base is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="exceptions"/> holds null or a type that is not an exception.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during a wait.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Optional arguments name the settings, as keyword arguments would; the overloads differ in the function's shape and the kind of filter, so no call is ambiguous.")]
    public static Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> func, int maxRetries = RetryOptions.DefaultMaxRetries, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, double exponentialBase = RetryOptions.DefaultExponentialBase,
        bool jitter = RetryOptions.DefaultJitter, Type[]? exceptions = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        var policy = Policy(maxRetries, baseDelay, maxDelay, exponentialBase, jitter, ExceptionFilter(exceptions));
        return RunAsync(func, policy, timeProvider, null, cancellationToken);
    }

    /// <summary>Runs <paramref name="func"/>, retrying it while <paramref name="shouldRetry"/> returns true for its exception.</summary>
    /// <typeparam name="T">The function's result.</typeparam>
    /// <param name="func">The work; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="shouldRetry">Decides which exceptions are retried.</param>
    /// <param name="maxRetries">Retries after the first attempt; zero or more. Default <see cref="RetryOptions.DefaultMaxRetries"/> (5).</param>
    /// <param name="baseDelay">The delay before the first retry; positive. Default <see cref="RetryOptions.DefaultBaseDelaySeconds"/> (1 second).</param>
    /// <param name="maxDelay">The longest delay; positive, at most <see cref="RetryOptions.MaxDelayLimitSeconds"/> (about 49.7 days, a timer's limit). Default <see cref="RetryOptions.DefaultMaxDelaySeconds"/> (60 seconds).</param>
    /// <param name="exponentialBase">Growth factor per attempt; finite and at least 1. Default <see cref="RetryOptions.DefaultExponentialBase"/> (2).</param>
    /// <param name="jitter">Draw each delay uniformly from [0, delay]. Default <see langword="true"/>.</param>
    /// <param name="timeProvider">The clock that drives the waits. Default <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">Stops the work and any wait.</param>
    /// <returns>The result of the first attempt that succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="shouldRetry"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count, delay or base is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during a wait.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Optional arguments name the settings, as keyword arguments would; the overloads differ in the function's shape and the kind of filter, so no call is ambiguous.")]
    public static Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> func, Func<Exception, bool> shouldRetry, int maxRetries = RetryOptions.DefaultMaxRetries, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null,
        double exponentialBase = RetryOptions.DefaultExponentialBase, bool jitter = RetryOptions.DefaultJitter, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        ArgumentNullException.ThrowIfNull(shouldRetry);
        var policy = Policy(maxRetries, baseDelay, maxDelay, exponentialBase, jitter, shouldRetry);
        return RunAsync(func, policy, timeProvider, null, cancellationToken);
    }

    /// <summary>Runs <paramref name="func"/>, retrying it on the <paramref name="exceptions"/> types.</summary>
    /// <param name="func">The work; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="maxRetries">Retries after the first attempt; zero or more. Default <see cref="RetryOptions.DefaultMaxRetries"/> (5).</param>
    /// <param name="baseDelay">The delay before the first retry; positive. Default <see cref="RetryOptions.DefaultBaseDelaySeconds"/> (1 second).</param>
    /// <param name="maxDelay">The longest delay; positive, at most <see cref="RetryOptions.MaxDelayLimitSeconds"/> (about 49.7 days, a timer's limit). Default <see cref="RetryOptions.DefaultMaxDelaySeconds"/> (60 seconds).</param>
    /// <param name="exponentialBase">Growth factor per attempt; finite and at least 1. Default <see cref="RetryOptions.DefaultExponentialBase"/> (2).</param>
    /// <param name="jitter">Draw each delay uniformly from [0, delay]. Default <see langword="true"/>.</param>
    /// <param name="exceptions">Exception types to retry; null means every exception except <see cref="OperationCanceledException"/>; empty means none.</param>
    /// <param name="timeProvider">The clock that drives the waits. Default <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">Stops the work and any wait.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count, delay or base is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="exceptions"/> holds null or a type that is not an exception.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during a wait.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Optional arguments name the settings, as keyword arguments would; the overloads differ in the function's shape and the kind of filter, so no call is ambiguous.")]
    public static Task ExecuteAsync(
        Func<CancellationToken, Task> func, int maxRetries = RetryOptions.DefaultMaxRetries, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, double exponentialBase = RetryOptions.DefaultExponentialBase,
        bool jitter = RetryOptions.DefaultJitter, Type[]? exceptions = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        var policy = Policy(maxRetries, baseDelay, maxDelay, exponentialBase, jitter, ExceptionFilter(exceptions));
        return RunAsync(func, policy, timeProvider, null, cancellationToken);
    }

    /// <summary>Runs <paramref name="func"/>, retrying it while <paramref name="shouldRetry"/> returns true for its exception.</summary>
    /// <param name="func">The work; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="shouldRetry">Decides which exceptions are retried.</param>
    /// <param name="maxRetries">Retries after the first attempt; zero or more. Default <see cref="RetryOptions.DefaultMaxRetries"/> (5).</param>
    /// <param name="baseDelay">The delay before the first retry; positive. Default <see cref="RetryOptions.DefaultBaseDelaySeconds"/> (1 second).</param>
    /// <param name="maxDelay">The longest delay; positive, at most <see cref="RetryOptions.MaxDelayLimitSeconds"/> (about 49.7 days, a timer's limit). Default <see cref="RetryOptions.DefaultMaxDelaySeconds"/> (60 seconds).</param>
    /// <param name="exponentialBase">Growth factor per attempt; finite and at least 1. Default <see cref="RetryOptions.DefaultExponentialBase"/> (2).</param>
    /// <param name="jitter">Draw each delay uniformly from [0, delay]. Default <see langword="true"/>.</param>
    /// <param name="timeProvider">The clock that drives the waits. Default <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">Stops the work and any wait.</param>
    /// <returns>A task that completes when an attempt succeeds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> or <paramref name="shouldRetry"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count, delay or base is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during a wait.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Optional arguments name the settings, as keyword arguments would; the overloads differ in the function's shape and the kind of filter, so no call is ambiguous.")]
    public static Task ExecuteAsync(
        Func<CancellationToken, Task> func, Func<Exception, bool> shouldRetry, int maxRetries = RetryOptions.DefaultMaxRetries, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null,
        double exponentialBase = RetryOptions.DefaultExponentialBase, bool jitter = RetryOptions.DefaultJitter, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        ArgumentNullException.ThrowIfNull(shouldRetry);
        var policy = Policy(maxRetries, baseDelay, maxDelay, exponentialBase, jitter, shouldRetry);
        return RunAsync(func, policy, timeProvider, null, cancellationToken);
    }

    /// <summary>The generic path with an injectable random source (tests).</summary>
    internal static async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<T>> func, RetryPolicy policy, TimeProvider? timeProvider, Func<double>? nextDouble, CancellationToken cancellationToken)
    {
        // Built per call: a Backoff call is one-off, and the pipeline is a few small objects next to the waits it makes.
        var pipeline = policy.AddTo(new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System }, nextDouble).Build();
        return await pipeline.ExecuteAsync(
            static async (work, token) => await work(token).ConfigureAwait(false), func, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The non-generic path with an injectable random source (tests).</summary>
    internal static async Task RunAsync(
        Func<CancellationToken, Task> func, RetryPolicy policy, TimeProvider? timeProvider, Func<double>? nextDouble, CancellationToken cancellationToken)
    {
        var pipeline = policy.AddTo(new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System }, nextDouble).Build();
        await pipeline.ExecuteAsync(
            static async (work, token) => await work(token).ConfigureAwait(false), func, cancellationToken).ConfigureAwait(false);
    }

    internal static RetryPolicy Policy(
        int maxRetries, TimeSpan? baseDelay, TimeSpan? maxDelay, double exponentialBase, bool jitter, Func<Exception, bool>? shouldRetry) =>
        RetryPolicy.Create(
            new RetryOptions
            {
                MaxRetries = maxRetries,
                BaseDelaySeconds = baseDelay?.TotalSeconds ?? RetryOptions.DefaultBaseDelaySeconds,
                MaxDelaySeconds = maxDelay?.TotalSeconds ?? RetryOptions.DefaultMaxDelaySeconds,
                ExponentialBase = exponentialBase,
                Jitter = jitter,
                ShouldHandle = shouldRetry,
            },
            ParameterOf);

    // The options' names to this API's parameter names, so an error names the argument the caller passed.
    private static string ParameterOf(string option) => option switch
    {
        nameof(RetryOptions.MaxRetries) => "maxRetries",
        nameof(RetryOptions.BaseDelaySeconds) => "baseDelay",
        nameof(RetryOptions.MaxDelaySeconds) => "maxDelay",
        nameof(RetryOptions.ExponentialBase) => "exponentialBase",
        _ => option,
    };

    /// <summary>A predicate from a list of exception types; null for the default (every exception except cancellation).</summary>
    internal static Func<Exception, bool>? ExceptionFilter(Type[]? exceptions)
    {
        if (exceptions is null)
        {
            return null;
        }

        var types = (Type[])exceptions.Clone();
        foreach (var type in types)
        {
            if (type is null || !typeof(Exception).IsAssignableFrom(type))
            {
                throw new ArgumentException($"Every entry of {nameof(exceptions)} must be an exception type; '{type?.FullName ?? "null"}' is not.", nameof(exceptions));
            }
        }

        return exception => Array.Exists(types, type => type.IsInstanceOfType(exception));
    }
}
