namespace Throttle.Generator.Model;

/// <summary>The <c>[RateLimit]</c> aspect of a method.</summary>
/// <param name="FieldName">The static field that holds the method's <c>RateLimitSite</c>.</param>
/// <param name="SiteId">Unique name of the method (overload index appended when needed).</param>
/// <param name="KeyExpression">C# expression evaluating to the key string.</param>
/// <param name="NullTestedParameter">The parameter <see cref="KeyExpression"/> applies <c>?.</c> to, forwarded with <c>!</c>.</param>
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
    string KeyExpression,
    string? NullTestedParameter);
