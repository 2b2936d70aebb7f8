using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Throttle.Infrastructure;

/// <summary>
/// Checks the runtime generated code read from a member of the method's type (a <c>ThrottleRuntime</c> field or
/// property the type was given, by dependency injection say) before handing it to a site.
/// </summary>
/// <remarks>Infrastructure for generated code; not meant to be used directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SiteRuntime
{
    /// <summary>
    /// Returns <paramref name="runtime"/>, read from a member declared non-nullable; a null there is a bug in the
    /// object's construction, never a reason to fall back to <see cref="ThrottleRuntime.Current"/> silently.
    /// </summary>
    /// <param name="runtime">The member's value.</param>
    /// <param name="member">The member, <c>Namespace.Type.Member</c> (or <c>Namespace.Type(parameter)</c> for a primary-constructor parameter), for the message.</param>
    /// <returns><paramref name="runtime"/>.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="runtime"/> is null.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ThrottleRuntime Required(ThrottleRuntime? runtime, string member) => runtime ?? throw Null(member);

    private static InvalidOperationException Null(string member) =>
        new($"'{member}' is null, but the Throttle methods of its type run on the ThrottleRuntime it holds. Set it when the "
            + "object is created (from its constructor, by dependency injection), or declare it 'ThrottleRuntime?' so that a "
            + "null means ThrottleRuntime.Current.");
}
