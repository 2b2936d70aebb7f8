namespace Throttle.Generator.Model;

/// <summary>
/// A key path such as <c>request.Tenant.Id</c>, resolved against the method: where the key value is read, as data.
/// The emitter writes the expression that reads it (see <c>Emitting.KeyPathWriter</c>).
/// </summary>
/// <param name="Path">The path as written in the attribute; names the value in the runtime's error for a null key.</param>
/// <param name="Parameter">The parameter the path starts at, as declared (not escaped).</param>
/// <param name="ParameterMayBeNull">The parameter's value may be null, so reading its first member must test for null.</param>
/// <param name="Members">The fields and properties read after the parameter, in order; empty for the parameter itself.</param>
internal sealed record KeyPathModel(string Path, string Parameter, bool ParameterMayBeNull, EquatableArray<KeyPathMember> Members);

/// <summary>One field or property read along a key path.</summary>
/// <param name="Name">The member's name, as declared (not escaped).</param>
/// <param name="MayBeNull">The member's value may be null, so reading the next member must test for null.</param>
internal sealed record KeyPathMember(string Name, bool MayBeNull);
