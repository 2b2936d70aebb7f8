namespace Throttle.Generator.Model;

/// <summary>
/// One named runtime resource a method uses (<c>[RateLimit(Limiter = "api")]</c>), written into the compilation's
/// module initializer as a <c>SiteManifest.Register</c> call.
/// </summary>
/// <param name="Method">The method's site id, <c>Namespace.Type.Method</c>.</param>
/// <param name="Kind">The <c>SiteResourceKind</c> member's name: <c>Limiter</c>, <c>Queue</c>, <c>CircuitBreaker</c> or <c>Storage</c>.</param>
/// <param name="Name">The name as written in the attribute.</param>
internal sealed record ManifestEntry(string Method, string Kind, string Name);
