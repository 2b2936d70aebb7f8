namespace Throttle.Generator.Model;

/// <summary>
/// The member of the method's type that holds the runtime its sites run on (a <c>ThrottleRuntime</c> field or property,
/// set by dependency injection, say). Without one the sites use <c>ThrottleRuntime.Current</c>.
/// </summary>
/// <param name="Member">The member's identifier as written in C# (escaped with @ when it is a keyword).</param>
/// <param name="IsInstance">Read from the method's receiver; otherwise a static member read through the type.</param>
/// <param name="IsNullable">Declared <c>ThrottleRuntime?</c>: a null means <c>ThrottleRuntime.Current</c>; otherwise a null throws.</param>
/// <param name="DisplayName">
/// <c>Namespace.Type.Member</c> (the declaring type), or <c>Namespace.Type(parameter)</c>, for the exception a null throws.
/// </param>
/// <param name="PrimaryConstructorParameter">
/// A primary-constructor parameter (as written in C#) that the generated declaration reads through the property
/// <paramref name="Member"/> it declares (the compiler captures the parameter); null when the member is the user's.
/// </param>
internal sealed record RuntimeSourceModel(string Member, bool IsInstance, bool IsNullable, string DisplayName, string? PrimaryConstructorParameter = null);
