using System;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Throttle.Policies;
using Throttle.Queues;
using Throttle.Storage;

namespace Throttle.Hosting.Configuration;

/// <summary>
/// Reads the <c>Throttle</c> configuration section (README, "Configuration") into <see cref="ThrottleHostOptions"/>
/// without reflection. The settings are the properties of the attributes' option types (<c>RateLimitOptions</c>,
/// <c>CircuitBreakerOptions</c>, <c>QueuedOptions</c>, <c>DistributedSemaphoreOptions</c>) and
/// their defaults are those types' own. A value that does not parse, or a key that is no setting, is recorded as a
/// problem naming its configuration path; start-up then fails with all of them, never with a silent default.
/// </summary>
internal static class ThrottleConfigurationReader
{
    private const string RedisSection = "Redis";
    private const string LimitersSection = "Limiters";
    private const string CircuitBreakersSection = "CircuitBreakers";
    private const string QueuesSection = "Queues";
    private const string SemaphoresSection = "Semaphores";
    private const string ShutdownSection = "Shutdown";
    private const string MaxKeysKey = "MaxKeys";

    private const string RedisConfigurationKey = "Configuration";
    private const string KeyPrefixKey = "KeyPrefix";
    private const string OperationTimeoutSecondsKey = "OperationTimeoutSeconds";
    private const string FailureModeKey = "FailureMode";
    private const string FailClosedRetryAfterSecondsKey = "FailClosedRetryAfterSeconds";
    private const string ShutdownModeKey = "Mode";

    public static void Read(IConfiguration section, ThrottleHostOptions options)
    {
        var root = PathOf(section);
        foreach (var child in section.GetChildren())
        {
            switch (child.Key)
            {
                case RedisSection:
                    ReadRedis(child, options);
                    break;
                case LimitersSection:
                    ReadNamed(child, options, "limiter", ReadLimiter);
                    break;
                case CircuitBreakersSection:
                    ReadNamed(child, options, "circuit breaker", ReadCircuitBreaker);
                    break;
                case QueuesSection:
                    ReadNamed(child, options, "queue", ReadQueue);
                    break;
                case SemaphoresSection:
                    ReadNamed(child, options, "semaphore", ReadSemaphore);
                    break;
                case ShutdownSection:
                    ReadShutdown(child, options);
                    break;
                case MaxKeysKey:
                    if (Int(child, options) is { } maxKeys)
                    {
                        // ThrottleRuntimeOptions.MaxKeys holds the bound; its setter says when the value is outside it.
                        Apply(child, options, () => options.MaxKeys = new ThrottleRuntimeOptions { MaxKeys = maxKeys }.MaxKeys);
                    }

                    break;
                default:
                    Unknown(child, options, $"a section of {root}", RedisSection, LimitersSection, CircuitBreakersSection, QueuesSection, SemaphoresSection, ShutdownSection, MaxKeysKey);
                    break;
            }
        }
    }

    private static void ReadNamed(IConfigurationSection section, ThrottleHostOptions options, string what, Action<IConfigurationSection, ThrottleHostOptions> read)
    {
        if (section.Value is { Length: > 0 })
        {
            options.AddProblem($"{section.Path}: expected one section per {what}, named by its key, but found the value '{section.Value}'.");
            return;
        }

        foreach (var entry in section.GetChildren())
        {
            read(entry, options);
        }
    }

    private static void ReadLimiter(IConfigurationSection section, ThrottleHostOptions options)
    {
        var problemsBefore = options.Problems.Count;
        var limiter = new RateLimitOptions();
        foreach (var setting in section.GetChildren())
        {
            switch (setting.Key)
            {
                case nameof(RateLimitOptions.Strategy):
                    if (Enum<RateLimitStrategy>(setting, options, "strategy") is { } strategy)
                    {
                        limiter.Strategy = strategy;
                    }

                    break;
                case nameof(RateLimitOptions.Rate):
                    limiter.Rate = Double(setting, options) ?? limiter.Rate;
                    break;
                case nameof(RateLimitOptions.Per):
                    limiter.Per = Double(setting, options) ?? limiter.Per;
                    break;
                case nameof(RateLimitOptions.Burst):
                    limiter.Burst = Double(setting, options) ?? limiter.Burst;
                    break;
                case nameof(RateLimitOptions.Scope):
                    limiter.Scope = setting.Value;
                    break;
                default:
                    Unknown(setting, options, "a limiter setting", nameof(RateLimitOptions.Strategy), nameof(RateLimitOptions.Rate), nameof(RateLimitOptions.Per), nameof(RateLimitOptions.Burst), nameof(RateLimitOptions.Scope));
                    break;
            }
        }

        options.AddLimiter(section.Key, limiter, section.Path, readable: options.Problems.Count == problemsBefore);
    }

    private static void ReadCircuitBreaker(IConfigurationSection section, ThrottleHostOptions options)
    {
        var problemsBefore = options.Problems.Count;
        var breaker = new CircuitBreakerOptions();
        foreach (var setting in section.GetChildren())
        {
            switch (setting.Key)
            {
                case nameof(CircuitBreakerOptions.FailureThreshold):
                    breaker.FailureThreshold = Int(setting, options) ?? breaker.FailureThreshold;
                    break;
                case nameof(CircuitBreakerOptions.BreakSeconds):
                    breaker.BreakSeconds = Double(setting, options) ?? breaker.BreakSeconds;
                    break;
                default:
                    Unknown(setting, options, "a circuit breaker setting", nameof(CircuitBreakerOptions.FailureThreshold), nameof(CircuitBreakerOptions.BreakSeconds));
                    break;
            }
        }

        options.AddCircuitBreaker(section.Key, breaker, section.Path, readable: options.Problems.Count == problemsBefore);
    }

    private static void ReadQueue(IConfigurationSection section, ThrottleHostOptions options)
    {
        var problemsBefore = options.Problems.Count;
        var queue = new QueuedOptions();
        foreach (var setting in section.GetChildren())
        {
            switch (setting.Key)
            {
                case nameof(QueuedOptions.Workers):
                    queue.Workers = Int(setting, options) ?? queue.Workers;
                    break;
                case nameof(QueuedOptions.MaxSize):
                    queue.MaxSize = Int(setting, options) ?? queue.MaxSize;
                    break;
                default:
                    Unknown(setting, options, "a queue setting", nameof(QueuedOptions.Workers), nameof(QueuedOptions.MaxSize));
                    break;
            }
        }

        options.AddQueue(section.Key, queue, section.Path, readable: options.Problems.Count == problemsBefore);
    }

    private static void ReadSemaphore(IConfigurationSection section, ThrottleHostOptions options)
    {
        var problemsBefore = options.Problems.Count;
        var semaphore = new DistributedSemaphoreOptions();
        foreach (var setting in section.GetChildren())
        {
            switch (setting.Key)
            {
                case nameof(DistributedSemaphoreOptions.Value):
                    semaphore.Value = Int(setting, options) ?? semaphore.Value;
                    break;
                case nameof(DistributedSemaphoreOptions.LeaseSeconds):
                    semaphore.LeaseSeconds = Double(setting, options) ?? semaphore.LeaseSeconds;
                    break;
                case nameof(DistributedSemaphoreOptions.AcquireSleepDelaySeconds):
                    semaphore.AcquireSleepDelaySeconds = Double(setting, options) ?? semaphore.AcquireSleepDelaySeconds;
                    break;
                default:
                    Unknown(setting, options, "a semaphore setting", nameof(DistributedSemaphoreOptions.Value), nameof(DistributedSemaphoreOptions.LeaseSeconds), nameof(DistributedSemaphoreOptions.AcquireSleepDelaySeconds));
                    break;
            }
        }

        options.AddSemaphore(section.Key, semaphore, section.Path, readable: options.Problems.Count == problemsBefore);
    }

    private static void ReadRedis(IConfigurationSection section, ThrottleHostOptions options)
    {
        var storage = options.RedisStorage;
        foreach (var setting in section.GetChildren())
        {
            switch (setting.Key)
            {
                case RedisConfigurationKey:
                    if (!string.IsNullOrWhiteSpace(setting.Value))
                    {
                        options.RedisConnectionString = setting.Value;
                        options.RedisSource = setting.Path;
                    }

                    break;
                case KeyPrefixKey:
                    Apply(setting, options, () => storage.KeyPrefix = setting.Value!);
                    break;
                case OperationTimeoutSecondsKey:
                    if (Double(setting, options) is { } timeout)
                    {
                        Apply(setting, options, () => storage.OperationTimeout = Seconds(timeout));
                    }

                    break;
                case FailureModeKey:
                    if (Enum<StorageFailureMode>(setting, options, "failure mode") is { } mode)
                    {
                        storage.FailureMode = mode;
                    }

                    break;
                case FailClosedRetryAfterSecondsKey:
                    if (Double(setting, options) is { } retryAfter)
                    {
                        Apply(setting, options, () => storage.FailClosedRetryAfter = Seconds(retryAfter));
                    }

                    break;
                default:
                    Unknown(setting, options, "a Redis setting", RedisConfigurationKey, KeyPrefixKey, OperationTimeoutSecondsKey, FailureModeKey, FailClosedRetryAfterSecondsKey);
                    break;
            }
        }
    }

    private static void ReadShutdown(IConfigurationSection section, ThrottleHostOptions options)
    {
        foreach (var setting in section.GetChildren())
        {
            if (setting.Key == ShutdownModeKey)
            {
                if (Enum<QueueStopMode>(setting, options, "shutdown mode") is { } mode)
                {
                    options.ShutdownMode = mode;
                }
            }
            else
            {
                Unknown(setting, options, "a shutdown setting", ShutdownModeKey);
            }
        }
    }

    /// <summary>Runs a setter that checks its value (<see cref="Storage.Redis.RedisStorageOptions"/>), recording its refusal.</summary>
    private static void Apply(IConfigurationSection setting, ThrottleHostOptions options, Action set)
    {
        try
        {
            set();
        }
        catch (ArgumentException e)
        {
            options.AddProblem($"{setting.Path}: '{setting.Value}' is refused: {Reason(e)}");
        }
    }

    // Seconds as a TimeSpan, refusing what a TimeSpan cannot hold rather than overflowing.
    private static TimeSpan Seconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) <= TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "The value must be a finite number of seconds.");

    private static string Reason(ArgumentException exception)
    {
        // The framework's own range messages end with "(Parameter 'value')" and the actual value; the path says where.
        var message = exception.Message;
        var parameter = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return (parameter < 0 ? message : message[..parameter]).Trim();
    }

    private static double? Double(IConfigurationSection setting, ThrottleHostOptions options)
    {
        if (double.TryParse(setting.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        options.AddProblem($"{setting.Path}: '{setting.Value}' is not a number.");
        return null;
    }

    private static int? Int(IConfigurationSection setting, ThrottleHostOptions options)
    {
        if (int.TryParse(setting.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        options.AddProblem($"{setting.Path}: '{setting.Value}' is not a whole number.");
        return null;
    }

    private static TEnum? Enum<TEnum>(IConfigurationSection setting, ThrottleHostOptions options, string what)
        where TEnum : struct, Enum
    {
        var text = setting.Value?.Trim();

        // By name only: a number would bind any integer, defined member or not.
        if (text is { Length: > 0 } && !char.IsAsciiDigit(text[0]) && text[0] != '-' && text[0] != '+'
            && System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value))
        {
            return value;
        }

        options.AddProblem($"{setting.Path}: '{setting.Value}' is not a {what}; use {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
        return null;
    }

    private static void Unknown(IConfigurationSection setting, ThrottleHostOptions options, string what, params string[] known) =>
        options.AddProblem($"{setting.Path}: '{setting.Key}' is not {what}; the settings are {string.Join(", ", known)}.");

    private static string PathOf(IConfiguration section) => section is IConfigurationSection named ? named.Path : "the Throttle section";
}
