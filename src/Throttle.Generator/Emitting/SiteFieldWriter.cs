using System.Collections.Generic;
using System.Globalization;
using Throttle.Generator.Model;
using Throttle.Generator.Parsing;
using Throttle.Generator.Policies;

namespace Throttle.Generator.Emitting;

/// <summary>
/// Writes one static readonly field per aspect: the runtime site that holds the aspect's settings and resolves its
/// limiter, queue, pipeline or semaphore once per runtime (never per call). The settings are written as the aspect's
/// options object (src/Throttle.Runtime/Policies) with only the values that differ from its defaults, so the defaults
/// are read from one place at run time as well.
/// </summary>
internal static class SiteFieldWriter
{
    private const string Infrastructure = "global::Throttle.Infrastructure.";
    private const string Policies = "global::Throttle.Policies.";

    public static void Write(IndentedWriter writer, MethodModel model)
    {
        if (model.Queued is { } queued)
        {
            var defaults = new QueuedOptions();
            var values = new List<string>();
            Add(values, nameof(QueuedOptions.Queue), queued.QueueName, defaults.Queue);
            Add(values, nameof(QueuedOptions.Workers), queued.Workers, defaults.Workers);
            Add(values, nameof(QueuedOptions.MaxSize), queued.MaxSize, defaults.MaxSize);
            if (queued.Kind != (int)defaults.Kind)
            {
                values.Add($"{nameof(QueuedOptions.Kind)} = global::Throttle.QueueKind.{(QueueKind)queued.Kind}");
            }

            Field(writer, "QueuedSite", queued.FieldName, queued.SiteId);
            Options(writer, nameof(QueuedOptions), values, ");");
            writer.Line();
        }

        if (model.Resilience is { } resilience)
        {
            Field(writer, "ResilienceSite", resilience.FieldName, resilience.SiteId);
            WriteCircuitBreaker(writer, resilience.CircuitBreaker);
            WriteRetry(writer, resilience.Retry);
            writer.Line();
        }

        if (model.RateLimit is { } rateLimit)
        {
            var defaults = new RateLimitOptions();
            var values = new List<string>();
            Add(values, nameof(RateLimitOptions.Rate), rateLimit.Rate, defaults.Rate);
            Add(values, nameof(RateLimitOptions.Per), rateLimit.Per, defaults.Per);
            Add(values, nameof(RateLimitOptions.Burst), rateLimit.Burst, defaults.Burst);
            if (rateLimit.Strategy != (int)defaults.Strategy)
            {
                values.Add($"{nameof(RateLimitOptions.Strategy)} = global::Throttle.RateLimitStrategy.{(RateLimitStrategy)rateLimit.Strategy}");
            }

            Add(values, nameof(RateLimitOptions.Scope), rateLimit.Scope, defaults.Scope);
            Add(values, nameof(RateLimitOptions.Limiter), rateLimit.LimiterName, defaults.Limiter);
            Add(values, nameof(RateLimitOptions.Storage), rateLimit.StorageName, defaults.Storage);
            Add(values, nameof(RateLimitOptions.MaxWaitSeconds), rateLimit.MaxWaitSeconds, defaults.MaxWaitSeconds);
            Field(writer, "RateLimitSite", rateLimit.FieldName, rateLimit.SiteId);
            Options(writer, nameof(RateLimitOptions), values, ");");
            writer.Line();
        }

        if (model.Semaphore is { SemaphoreName: { } registered } registeredSemaphore)
        {
            Field(writer, "DistributedSemaphoreSite", registeredSemaphore.FieldName, registeredSemaphore.SiteId);
            writer.Line($"    {SymbolText.Literal(registered)},");
            writer.Line($"    {SymbolText.Literal(registeredSemaphore.AcquireTimeoutSeconds)});");
            writer.Line();
        }
        else if (model.Semaphore is { } semaphore)
        {
            var defaults = new DistributedSemaphoreOptions();
            var values = new List<string>();
            Add(values, nameof(DistributedSemaphoreOptions.Key), semaphore.Key, defaults.Key);
            Add(values, nameof(DistributedSemaphoreOptions.Value), semaphore.Value, defaults.Value);
            Add(values, nameof(DistributedSemaphoreOptions.AcquireTimeoutSeconds), semaphore.AcquireTimeoutSeconds, defaults.AcquireTimeoutSeconds);
            Add(values, nameof(DistributedSemaphoreOptions.LeaseSeconds), semaphore.LeaseSeconds, defaults.LeaseSeconds);
            Add(values, nameof(DistributedSemaphoreOptions.AcquireSleepDelaySeconds), semaphore.AcquireSleepDelaySeconds, defaults.AcquireSleepDelaySeconds);
            Field(writer, "DistributedSemaphoreSite", semaphore.FieldName, semaphore.SiteId);
            Options(writer, nameof(DistributedSemaphoreOptions), values, ");");
            writer.Line();
        }
    }

    private static void Field(IndentedWriter writer, string siteType, string fieldName, string siteId)
    {
        writer.Line(Emitter.GeneratedCode);
        writer.Line($"private static readonly {Infrastructure}{siteType} {fieldName} = new {Infrastructure}{siteType}(");
        writer.Line($"    {SymbolText.Literal(siteId)},");
    }

    /// <summary>Writes <c>new Options { A = 1, ... }</c> (or <c>new Options()</c>) as an argument, then <paramref name="end"/>.</summary>
    private static void Options(IndentedWriter writer, string type, List<string> values, string end)
    {
        if (values.Count == 0)
        {
            writer.Line($"    new {Policies}{type}(){end}");
            return;
        }

        writer.Line($"    new {Policies}{type}");
        writer.Line("    {");
        foreach (var value in values)
        {
            writer.Line($"        {value},");
        }

        writer.Line("    }" + end);
    }

    private static void WriteCircuitBreaker(IndentedWriter writer, CircuitBreakerModel? breaker)
    {
        if (breaker is null)
        {
            writer.Line("    null,");
            return;
        }

        var defaults = new CircuitBreakerOptions();
        var values = new List<string>();
        Add(values, nameof(CircuitBreakerOptions.FailureThreshold), breaker.FailureThreshold, defaults.FailureThreshold);
        Add(values, nameof(CircuitBreakerOptions.BreakSeconds), breaker.BreakSeconds, defaults.BreakSeconds);
        Add(values, nameof(CircuitBreakerOptions.Name), breaker.Name, defaults.Name);
        if (breaker.Shared != defaults.Shared)
        {
            values.Add($"{nameof(CircuitBreakerOptions.Shared)} = {(breaker.Shared ? "true" : "false")}");
        }

        AddShouldHandle(values, breaker.Handles);
        Options(writer, nameof(CircuitBreakerOptions), values, ",");
    }

    private static void WriteRetry(IndentedWriter writer, RetryModel? retry)
    {
        if (retry is null)
        {
            writer.Line("    null);");
            return;
        }

        var defaults = new RetryOptions();
        var values = new List<string>();
        Add(values, nameof(RetryOptions.MaxRetries), retry.MaxRetries, defaults.MaxRetries);
        Add(values, nameof(RetryOptions.BaseDelaySeconds), retry.BaseDelaySeconds, defaults.BaseDelaySeconds);
        Add(values, nameof(RetryOptions.MaxDelaySeconds), retry.MaxDelaySeconds, defaults.MaxDelaySeconds);
        Add(values, nameof(RetryOptions.ExponentialBase), retry.ExponentialBase, defaults.ExponentialBase);
        if (retry.Jitter != defaults.Jitter)
        {
            values.Add($"{nameof(RetryOptions.Jitter)} = {(retry.Jitter ? "true" : "false")}");
        }

        AddShouldHandle(values, retry.Handles);
        Options(writer, nameof(RetryOptions), values, ");");
    }

    // A type test per listed exception: the filter is decided at compile time, no reflection at run time.
    private static void AddShouldHandle(List<string> values, EquatableArray<string> handles)
    {
        if (handles.Length > 0)
        {
            values.Add("ShouldHandle = static __throttleException => __throttleException is " + string.Join(" or ", handles));
        }
    }

    // double.Equals, unlike ==, finds NaN (an unset rate) equal to itself.
    private static void Add(List<string> values, string name, double value, double defaultValue)
    {
        if (!value.Equals(defaultValue))
        {
            values.Add($"{name} = {SymbolText.Literal(value)}");
        }
    }

    private static void Add(List<string> values, string name, int value, int defaultValue)
    {
        if (value != defaultValue)
        {
            values.Add($"{name} = {value.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static void Add(List<string> values, string name, string? value, string? defaultValue)
    {
        if (value != defaultValue)
        {
            values.Add($"{name} = {SymbolText.Literal(value)}");
        }
    }
}
