namespace Throttle.Generator.Model;

/// <summary>A method of the containing type that computes each call's key (<c>[RateLimit(KeyMethod = ...)]</c>).</summary>
/// <param name="Name">The method's name as written in C# (escaped with @ when it is a keyword).</param>
/// <param name="IsStatic">Whether it is called on the type rather than on the method's receiver.</param>
/// <param name="Arguments">The annotated method's parameters it takes, in its own parameter order (as declared, not escaped).</param>
/// <param name="Display">How messages name it, e.g. <c>TenantOf(order)</c>.</param>
internal sealed record KeyMethodModel(string Name, bool IsStatic, EquatableArray<string> Arguments, string Display);
