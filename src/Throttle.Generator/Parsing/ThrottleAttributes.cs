using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Throttle.Generator.Parsing;

/// <summary>The Throttle attributes, by metadata name, in the order their policies wrap a call (outermost first).</summary>
internal static class ThrottleAttributes
{
    public const string Queued = "Throttle.QueuedAttribute";
    public const string CircuitBreaker = "Throttle.CircuitBreakerAttribute";
    public const string Retry = "Throttle.RetryAttribute";
    public const string RateLimit = "Throttle.RateLimitAttribute";
    public const string DistributedSemaphore = "Throttle.DistributedSemaphoreAttribute";

    public static readonly ImmutableArray<string> InWrappingOrder =
        ImmutableArray.Create(Queued, CircuitBreaker, Retry, RateLimit, DistributedSemaphore);

    public static string? MetadataName(AttributeData attribute)
    {
        var type = attribute.AttributeClass;
        if (type is null || type.ContainingNamespace is not { Name: "Throttle", ContainingNamespace.IsGlobalNamespace: true })
        {
            return null;
        }

        var name = "Throttle." + type.MetadataName;
        return InWrappingOrder.Contains(name) ? name : null;
    }

    /// <summary>The attribute's name as a user writes it, e.g. <c>[Queued]</c>.</summary>
    public static string Display(string metadataName)
    {
        var simple = metadataName.Substring("Throttle.".Length);
        return "[" + simple.Substring(0, simple.Length - "Attribute".Length) + "]";
    }
}
