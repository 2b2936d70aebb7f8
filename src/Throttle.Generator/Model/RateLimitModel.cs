namespace Throttle.Generator.Model;

/// <summary>The <c>[RateLimit]</c> aspect of a method.</summary>
/// <param name="FieldName">The static field that holds the method's <c>RateLimitSite</c>.</param>
/// <param name="SiteId">Unique name of the method (overload index appended when needed).</param>
/// <param name="Key">Where each call's key is read (<c>Key = ...</c>), or null.</param>
/// <param name="KeyMethod">The method that computes each call's key (<c>KeyMethod = ...</c>), or null.</param>
/// <param name="StorageName">A storage registered on the runtime that keeps the limiter's state, or null for the runtime's.</param>
/// <param name="DefaultKey">The key of every call when <paramref name="Key"/> and <paramref name="KeyMethod"/> are null: the limiter's name, else the method's.</param>
internal sealed record RateLimitModel(
    string FieldName,
    string SiteId,
    double Rate,
    double Per,
    double Burst,
    int Strategy,
    string? Scope,
    string? LimiterName,
    double MaxWaitSeconds,
    KeyPathModel? Key,
    KeyMethodModel? KeyMethod,
    string? StorageName,
    string? DefaultKey);
