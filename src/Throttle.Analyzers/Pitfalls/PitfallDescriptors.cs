using Microsoft.CodeAnalysis;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>
/// The concurrency pitfalls Throttle.Analyzers finds in hand-written code (THR9xx; the generator's diagnostics use
/// THR0xx to THR4xx). Each links to its section of docs/diagnostics.md.
/// </summary>
internal static class PitfallDescriptors
{
    private const string Category = "Throttle";
    private const string HelpBase = "https://github.com/throttle-dotnet/throttle/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor CreatedInWaitingCall = Create(
        "THR901",
        "Semaphore or limiter created in the call that waits on it",
        "'{0}' is created in the call that waits on it, so {1}; keep one instance in a static readonly field, or put [DistributedSemaphore] or [RateLimit] on the method",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnboundedWait = Create(
        "THR902",
        "Semaphore wait without a timeout or a cancellation token",
        "'{0}' waits for a slot with neither a timeout nor a cancellation token: if the holders stall, this call waits forever; pass a CancellationToken or a timeout",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor ReleaseOutsideFinally = Create(
        "THR903",
        "Semaphore released outside a finally block",
        "'{0}.Release()' is not in a finally block: if the code between the wait and the release throws, the slot is never returned; release it in a finally",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor CreatedPerRequest = Create(
        "THR904",
        "Limiter or semaphore created per request",
        "'{0}' is created for each {1}, so {2}; create it once: a static readonly field, a singleton service, or [RateLimit]/[DistributedSemaphore] on a method",
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
