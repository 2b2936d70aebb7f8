using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>
/// A method's claims on state it shares by name with other methods: an explicit rate-limit <c>Scope</c>, a breaker
/// <c>Name</c>, a semaphore key. The settings listed are the ones that live with the shared state (docs/diagnostics.md#thr110).
/// </summary>
internal static class SharedNameClaims
{
    private static readonly string[] s_strategies = ["TokenBucket", "SlidingWindow", "LeakyBucket"];

    public static EquatableArray<SharedNameClaim> Of(
        string method,
        RateLimitModel? rateLimit,
        AttributeData? rateLimitAttribute,
        ResilienceModel? resilience,
        AttributeData? circuitBreakerAttribute,
        SemaphoreModel? semaphore,
        AttributeData? semaphoreAttribute,
        CancellationToken cancellationToken)
    {
        var claims = new List<SharedNameClaim>();

        // A named limiter has its own settings, and a method without a Scope has a scope of its own: nothing to share.
        if (rateLimit is { Scope: { } scope, LimiterName: null })
        {
            var strategy = rateLimit.Strategy >= 0 && rateLimit.Strategy < s_strategies.Length ? s_strategies[rateLimit.Strategy] : Number(rateLimit.Strategy);
            var settings = new List<SharedSetting>
            {
                new("Strategy", strategy),
                new("Rate", Number(rateLimit.Rate)),
                new("Per", Number(rateLimit.Per)),
            };

            // Sliding windows have no burst; the buckets' capacity defaults to the rate.
            if (strategy != "SlidingWindow")
            {
                settings.Add(new("Burst", Number(rateLimit.Burst == 0 ? rateLimit.Rate : rateLimit.Burst)));
            }

            // One scope's state lives in one storage: methods that keep it in different ones would not share it.
            settings.Add(new("Storage", rateLimit.StorageName is { } storage ? $"'{storage}'" : "the runtime's"));
            claims.Add(Claim(SharedNameKind.RateLimitScope, scope, method, settings, rateLimitAttribute, cancellationToken));
        }

        if (resilience?.CircuitBreaker is { Name: { } name } breaker)
        {
            claims.Add(Claim(
                SharedNameKind.CircuitBreaker,
                name,
                method,
                [
                    new("FailureThreshold", Number(breaker.FailureThreshold)),
                    new("BreakSeconds", Number(breaker.BreakSeconds)),
                    new("Shared", breaker.Shared ? "true" : "false"),
                    new("Handles", breaker.Handles.Length == 0 ? "every exception" : string.Join(" | ", breaker.Handles.OrderBy(h => h, System.StringComparer.Ordinal))),
                ],
                circuitBreakerAttribute,
                cancellationToken));
        }

        // Partitions of one key are that key's semaphores, so the key alone decides sharing.
        // A registered semaphore's settings are its registration's: nothing for methods to agree on.
        if (semaphore is { SemaphoreName: null })
        {
            claims.Add(Claim(
                SharedNameKind.Semaphore,
                semaphore.Key,
                method,
                [new("Value", Number(semaphore.Value)), new("LeaseSeconds", Number(semaphore.LeaseSeconds)), new("AcquireSleepDelaySeconds", Number(semaphore.AcquireSleepDelaySeconds))],
                semaphoreAttribute,
                cancellationToken));
        }

        return new EquatableArray<SharedNameClaim>(claims);
    }

    private static SharedNameClaim Claim(
        SharedNameKind kind, string name, string method, IEnumerable<SharedSetting> settings, AttributeData? attribute, CancellationToken cancellationToken) =>
        new(kind, name, method, new EquatableArray<SharedSetting>(settings), LocationInfo.From(attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken)));

    private static string Number(double value) => SymbolText.Number(value);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
