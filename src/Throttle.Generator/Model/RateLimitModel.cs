namespace Throttle.Generator.Model;

/// <summary>The <c>[RateLimit]</c> aspect of a method.</summary>
/// <param name="FieldName">The static field that holds the method's <c>RateLimitSite</c>.</param>
/// <param name="SiteId">Unique name of the method (overload index appended when needed).</param>
/// <param name="Key">Where each call's key is read (<c>Key = ...</c>), or null for one key for every call.</param>
/// <param name="DefaultKey">The key of every call when <paramref name="Key"/> is null: the limiter's name, else the method's.</param>
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
    string? DefaultKey);
