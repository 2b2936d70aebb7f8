using Microsoft.CodeAnalysis;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>How a new semaphore or limiter keeps its state, which decides what creating one per call costs.</summary>
internal enum StateKind
{
    /// <summary>Not a type these analyzers know, or one whose state is shared elsewhere (a limiter over a storage passed in).</summary>
    None,

    /// <summary>Its slots or tokens live in the instance: a new one per call limits nothing.</summary>
    InInstance,

    /// <summary>A Redis handle: slots are shared through Redis, but each handle subscribes to Redis and holds timers until disposed.</summary>
    RedisHandle,
}

/// <summary>The types the pitfall analyzers look for, resolved once per compilation (null where not referenced).</summary>
internal sealed class ConcurrencyTypes
{
    private ConcurrencyTypes(Compilation compilation)
    {
        SemaphoreSlim = compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        ThrottleLimiter = compilation.GetTypeByMetadataName("Throttle.Limiters.ThrottleLimiter");
        CompositeLimiter = compilation.GetTypeByMetadataName("Throttle.Limiters.CompositeLimiter");
        ThrottleSemaphore = compilation.GetTypeByMetadataName("Throttle.Semaphores.ThrottleSemaphore");
        DistributedSemaphore = compilation.GetTypeByMetadataName("Throttle.Semaphores.DistributedSemaphore");
        ControllerBase = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Mvc.ControllerBase");
    }

    public INamedTypeSymbol? SemaphoreSlim { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? ThrottleLimiter { get; }

    public INamedTypeSymbol? CompositeLimiter { get; }

    public INamedTypeSymbol? ThrottleSemaphore { get; }

    public INamedTypeSymbol? DistributedSemaphore { get; }

    public INamedTypeSymbol? ControllerBase { get; }

    /// <summary>Whether anything worth analyzing is referenced at all; a compilation without them costs nothing more.</summary>
    public bool Any => SemaphoreSlim is not null || ThrottleLimiter is not null || ThrottleSemaphore is not null;

    public static ConcurrencyTypes From(Compilation compilation) => new(compilation);

    public bool IsSemaphoreSlim(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, SemaphoreSlim);

    public bool IsThrottleType(ITypeSymbol? type) => DerivesFrom(type, ThrottleLimiter) || DerivesFrom(type, ThrottleSemaphore);

    public static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
