using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Throttle.Queues;

/// <summary>
/// Whether <typeparamref name="T"/> compares by value under <see cref="EqualityComparer{T}.Default"/>: a value type
/// (primitives, enums, structs), a type that implements <see cref="IEquatable{T}"/> (strings, records), or a class that
/// overrides <see cref="object.Equals(object)"/>. Computed once per type (reflection at first use, never per item).
/// </summary>
internal static class ValueEquality<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] T>
{
    /// <summary>True when equal values (not only the same instance) are equal.</summary>
    public static readonly bool Defined = Compute();

    private static bool Compute()
    {
        var type = typeof(T);
        if (type.IsValueType || typeof(IEquatable<T>).IsAssignableFrom(type))
        {
            return true;
        }

        // An interface or object says nothing about the items' own types: the caller must choose (a comparer).
        if (type.IsInterface || type == typeof(object))
        {
            return false;
        }

        var equals = type.GetMethod(nameof(Equals), BindingFlags.Public | BindingFlags.Instance, [typeof(object)]);
        return equals is not null && equals.DeclaringType != typeof(object);
    }
}
