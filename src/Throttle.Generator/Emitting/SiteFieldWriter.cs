using System.Globalization;
using System.Linq;
using Throttle.Generator.Model;
using Throttle.Generator.Parsing;

namespace Throttle.Generator.Emitting;

/// <summary>
/// Writes one static readonly field per aspect: the runtime site that holds the aspect's settings and resolves its
/// limiter, queue, pipeline or semaphore once per runtime (never per call).
/// </summary>
internal static class SiteFieldWriter
{
    private const string Infrastructure = "global::Throttle.Infrastructure.";

    public static void Write(IndentedWriter writer, MethodModel model)
    {
        if (model.Queued is { } queued)
        {
            Field(writer, "QueuedSite", queued.FieldName);
            writer.Line($"    id: {SymbolText.Literal(queued.SiteId)},");
            writer.Line($"    queueName: {SymbolText.Literal(queued.QueueName)},");
            writer.Line($"    workers: {Int(queued.Workers)},");
            writer.Line($"    maxSize: {Int(queued.MaxSize)});");
            writer.Line();
        }

        if (model.Resilience is { } resilience)
        {
            Field(writer, "ResilienceSite", resilience.FieldName);
            writer.Line($"    id: {SymbolText.Literal(resilience.SiteId)},");
            WriteCircuitBreaker(writer, resilience.CircuitBreaker);
            WriteRetry(writer, resilience.Retry);
            writer.Line();
        }

        if (model.RateLimit is { } rateLimit)
        {
            Field(writer, "RateLimitSite", rateLimit.FieldName);
            writer.Line($"    id: {SymbolText.Literal(rateLimit.SiteId)},");
            writer.Line($"    rate: {SymbolText.Literal(rateLimit.Rate)},");
            writer.Line($"    per: {SymbolText.Literal(rateLimit.Per)},");
            writer.Line($"    burst: {SymbolText.Literal(rateLimit.Burst)},");
            writer.Line($"    strategy: {StrategyExpression(rateLimit.Strategy)},");
            writer.Line($"    scope: {SymbolText.Literal(rateLimit.Scope)},");
            writer.Line($"    limiterName: {SymbolText.Literal(rateLimit.LimiterName)},");
            writer.Line($"    maxWaitSeconds: {SymbolText.Literal(rateLimit.MaxWaitSeconds)});");
            writer.Line();
        }

        if (model.Semaphore is { } semaphore)
        {
            Field(writer, "DistributedSemaphoreSite", semaphore.FieldName);
            writer.Line($"    id: {SymbolText.Literal(semaphore.SiteId)},");
            writer.Line($"    key: {SymbolText.Literal(semaphore.Key)},");
            writer.Line($"    value: {Int(semaphore.Value)},");
            writer.Line($"    acquireTimeoutSeconds: {SymbolText.Literal(semaphore.AcquireTimeoutSeconds)},");
            writer.Line($"    leaseSeconds: {SymbolText.Literal(semaphore.LeaseSeconds)},");
            writer.Line($"    acquireSleepDelaySeconds: {SymbolText.Literal(semaphore.AcquireSleepDelaySeconds)});");
            writer.Line();
        }
    }

    private static void Field(IndentedWriter writer, string siteType, string fieldName)
    {
        writer.Line(Emitter.GeneratedCode);
        writer.Line($"private static readonly {Infrastructure}{siteType} {fieldName} = new {Infrastructure}{siteType}(");
    }

    private static void WriteCircuitBreaker(IndentedWriter writer, CircuitBreakerModel? breaker)
    {
        if (breaker is null)
        {
            writer.Line("    circuitBreaker: null,");
            return;
        }

        writer.Line($"    circuitBreaker: new {Infrastructure}CircuitBreakerSiteOptions");
        writer.Line("    {");
        writer.Line($"        FailureThreshold = {Int(breaker.FailureThreshold)},");
        writer.Line($"        BreakSeconds = {SymbolText.Literal(breaker.BreakSeconds)},");
        writer.Line($"        Name = {SymbolText.Literal(breaker.Name)},");
        writer.Line($"        ShouldHandle = {ShouldHandle(breaker.Handles)},");
        writer.Line("    },");
    }

    private static void WriteRetry(IndentedWriter writer, RetryModel? retry)
    {
        if (retry is null)
        {
            writer.Line("    retry: null);");
            return;
        }

        writer.Line($"    retry: new {Infrastructure}RetrySiteOptions");
        writer.Line("    {");
        writer.Line($"        MaxRetries = {Int(retry.MaxRetries)},");
        writer.Line($"        BaseDelaySeconds = {SymbolText.Literal(retry.BaseDelaySeconds)},");
        writer.Line($"        MaxDelaySeconds = {SymbolText.Literal(retry.MaxDelaySeconds)},");
        writer.Line($"        ExponentialBase = {SymbolText.Literal(retry.ExponentialBase)},");
        writer.Line($"        Jitter = {(retry.Jitter ? "true" : "false")},");
        writer.Line($"        ShouldHandle = {ShouldHandle(retry.Handles)},");
        writer.Line("    });");
    }

    // A type test per listed exception: the filter is decided at compile time, no reflection at run time.
    private static string ShouldHandle(EquatableArray<string> handles) =>
        handles.Length == 0
            ? "null"
            : "static __throttleException => __throttleException is " + string.Join(" or ", handles);

    private static string StrategyExpression(int strategy) => strategy switch
    {
        0 => "global::Throttle.RateLimitStrategy.TokenBucket",
        1 => "global::Throttle.RateLimitStrategy.SlidingWindow",
        2 => "global::Throttle.RateLimitStrategy.LeakyBucket",
        _ => "(global::Throttle.RateLimitStrategy)" + Int(strategy),
    };

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
