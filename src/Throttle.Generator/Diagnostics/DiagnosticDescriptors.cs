using Microsoft.CodeAnalysis;

namespace Throttle.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable: THR0xx general, THR1xx [RateLimit], THR2xx [Queued],
/// THR3xx [CircuitBreaker]/[Retry], THR4xx [DistributedSemaphore]. Each links to its section of docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Throttle";
    private const string HelpBase = "https://github.com/throttle-dotnet/throttle/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor MethodNotPartial = Error(
        "THR001",
        "Throttle method must be partial",
        "Method '{0}' has a Throttle attribute but is not partial; declare it 'partial' without a body and put the body in '{1}'");

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "THR002",
        "Type containing a Throttle method must be partial",
        "Type '{0}' contains the Throttle method '{1}' and must be declared 'partial'");

    public static readonly DiagnosticDescriptor ImplementationMissing = Error(
        "THR003",
        "Implementation method not found",
        "Method '{0}' needs an implementation method with this signature: {1}");

    public static readonly DiagnosticDescriptor ImplementationSignatureMismatch = Error(
        "THR004",
        "Implementation method has a different signature",
        "Method '{0}' does not match '{1}': the implementation method must have this signature: {2}");

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "THR005",
        "Parameter kind not supported",
        "Parameter '{0}' is {1}; a Throttle method cannot pass it through its wrapper");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "THR006",
        "Return type not supported",
        "Method '{0}' returns '{1}', which a Throttle wrapper cannot produce; return void, a value, Task, Task<T>, ValueTask or ValueTask<T>");

    public static readonly DiagnosticDescriptor AlreadyImplemented = Error(
        "THR008",
        "Throttle method already has a body",
        "Method '{0}' already has a body; the Throttle generator writes it. Move the body to '{1}' and leave a partial declaration without a body.");

    /// <summary>Two or more ThrottleRuntime members the method could run on (docs/diagnostics.md#thr010).</summary>
    public static readonly DiagnosticDescriptor AmbiguousRuntime = Error(
        "THR010",
        "More than one ThrottleRuntime member",
        "Method '{0}' could run on any of the ThrottleRuntime members {1} of '{2}'; keep one field or property of type ThrottleRuntime, so generated code knows which runtime to use");

    /// <summary>
    /// A ThrottleRuntime primary-constructor parameter that generated code cannot read (docs/diagnostics.md#thr011).
    /// A warning: the method still runs, on ThrottleRuntime.Current.
    /// </summary>
    public static readonly DiagnosticDescriptor RuntimeParameterNotVisible = new(
        "THR011",
        "ThrottleRuntime primary-constructor parameter cannot be used",
        "Primary-constructor parameter '{0}' of '{1}' {2}, so the generated code of '{3}' cannot read it and runs on ThrottleRuntime.Current; keep it in a field ('private readonly ThrottleRuntime _runtime = {0};')",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr011");

    // The option-range diagnostics below take their whole message from the shared options validation
    // (src/Throttle.Runtime/Policies), so the runtime's ArgumentException says exactly the same.

    /// <summary>An attribute argument outside the values its option accepts (queue, resilience and semaphore options).</summary>
    public static readonly DiagnosticDescriptor OptionOutOfRange = Error(
        "THR009",
        "Attribute argument out of range",
        "{0}");

    public static readonly DiagnosticDescriptor InvalidNumber = Error(
        "THR101",
        "Rate limit number out of range",
        "{0}");

    public static readonly DiagnosticDescriptor InvalidMaxWait = Error(
        "THR102",
        "MaxWaitSeconds must be zero, positive or infinity",
        "{0}");

    public static readonly DiagnosticDescriptor KeyNotFound = Error(
        "THR103",
        "Rate limit key does not name a parameter or member",
        "Key '{0}' does not resolve: {1}");

    public static readonly DiagnosticDescriptor RateOrLimiterRequired = Error(
        "THR104",
        "Rate limit needs a rate or a limiter",
        "[RateLimit] on '{0}' needs a rate ([RateLimit(10)]) or the name of a registered limiter ([RateLimit(Limiter = \"name\")])");

    public static readonly DiagnosticDescriptor LimiterWithRateOptions = Error(
        "THR105",
        "Rate options are ignored with a named limiter",
        "[RateLimit] on '{0}' names the limiter '{1}', which has its own settings; remove {2}");

    public static readonly DiagnosticDescriptor BurstBelowOneCall = Error(
        "THR106",
        "Burst too small for a single call",
        "{0}");

    public static readonly DiagnosticDescriptor EmptyName = Error(
        "THR107",
        "Name must not be empty",
        "{0}");

    /// <summary>Burst on a strategy that has no bucket.</summary>
    public static readonly DiagnosticDescriptor BurstNotApplicable = Error(
        "THR108",
        "Burst does not apply to this strategy",
        "{0}");

    /// <summary>A Strategy value that is not a member of RateLimitStrategy.</summary>
    public static readonly DiagnosticDescriptor UnknownStrategy = Error(
        "THR109",
        "Unknown rate limit strategy",
        "{0}");

    /// <summary>Both Key and KeyMethod on one [RateLimit].</summary>
    public static readonly DiagnosticDescriptor KeyTwice = Error(
        "THR111",
        "Rate limit key given twice",
        "[RateLimit] on '{0}' sets both Key and KeyMethod; keep one");

    /// <summary>KeyMethod naming no method of the type.</summary>
    public static readonly DiagnosticDescriptor KeyMethodNotFound = Error(
        "THR112",
        "Key method not found",
        "KeyMethod '{0}' does not name a method of '{1}'");

    /// <summary>A key method whose parameters are not the annotated method's.</summary>
    public static readonly DiagnosticDescriptor KeyMethodParameters = Error(
        "THR113",
        "Key method parameters do not match",
        "KeyMethod '{0}' cannot be called with the arguments of '{1}': {2}; each of its parameters must be a parameter of '{1}' with the same name and type (any order, a subset)");

    /// <summary>A key method that returns no key.</summary>
    public static readonly DiagnosticDescriptor KeyMethodReturnType = Error(
        "THR114",
        "Key method does not return a key",
        "KeyMethod '{0}' returns '{1}', which is not a key; return a string, or a value formatted with the invariant culture (not void, a task, a ref struct or a pointer)");

    /// <summary>A key method that generated code cannot call.</summary>
    public static readonly DiagnosticDescriptor KeyMethodNotCallable = Error(
        "THR115",
        "Key method cannot be called",
        "KeyMethod '{0}' cannot be called from the generated '{1}': {2}");

    /// <summary>[Queued] on a method whose caller cannot await the queued call.</summary>
    public static readonly DiagnosticDescriptor QueuedNeedsTask = Error(
        "THR201",
        "Queued method must return a task",
        "[Queued] on '{0}' returns '{1}'; a queued call completes later, so the method must return Task, Task<T>, ValueTask or ValueTask<T>");

    /// <summary>PriorityParameter naming no int parameter.</summary>
    public static readonly DiagnosticDescriptor PriorityParameterInvalid = Error(
        "THR202",
        "PriorityParameter must name an int parameter",
        "PriorityParameter '{0}' does not name an int parameter of '{1}' ({2})");

    /// <summary>Both a fixed priority and a priority parameter.</summary>
    public static readonly DiagnosticDescriptor PriorityTwice = Error(
        "THR203",
        "Priority given twice",
        "[Queued] on '{0}' sets both Priority and PriorityParameter; keep one");

    /// <summary>Per-method queue options next to a registered queue's name.</summary>
    public static readonly DiagnosticDescriptor QueueWithQueueOptions = Error(
        "THR204",
        "Queue options are ignored with a named queue",
        "[Queued] on '{0}' uses the registered queue '{1}', which has its own settings; remove {2}");

    /// <summary>DelayParameter naming no TimeSpan parameter.</summary>
    public static readonly DiagnosticDescriptor DelayParameterInvalid = Error(
        "THR205",
        "DelayParameter must name a TimeSpan parameter",
        "DelayParameter '{0}' does not name a TimeSpan parameter of '{1}' ({2})");

    /// <summary>DedupeKey naming no parameter or member.</summary>
    public static readonly DiagnosticDescriptor DedupeKeyNotFound = Error(
        "THR206",
        "Dedupe key does not name a parameter or member",
        "DedupeKey '{0}' does not resolve: {1}");

    /// <summary>More than one of a priority, a delay and a dedupe key: a queue has one kind.</summary>
    public static readonly DiagnosticDescriptor QueueKindConflict = Error(
        "THR207",
        "Queued method asks for more than one kind of queue",
        "[Queued] on '{0}' gives each call {1}; a queue orders calls one way (priority, delay or dedupe key), so keep one");

    /// <summary>A Handles entry that is not an exception type.</summary>
    public static readonly DiagnosticDescriptor HandlesNotException = Error(
        "THR301",
        "Handles must list exception types",
        "'{0}' in {1}.Handles is not an exception type");

    /// <summary>A retry whose cap is below its first delay.</summary>
    public static readonly DiagnosticDescriptor MaxDelayBelowBaseDelay = new(
        "THR302",
        "Retry delay cap below the first delay",
        "MaxDelaySeconds ({0}) is below BaseDelaySeconds ({1}), so every retry waits {0} s; raise MaxDelaySeconds or lower BaseDelaySeconds",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr302");

    /// <summary>
    /// A semaphore that can wait forever. A warning, not an info, so that <c>dotnet build</c> shows it (docs/diagnostics.md#thr401).
    /// </summary>
    public static readonly DiagnosticDescriptor NoAcquireTimeout = new(
        "THR401",
        "Semaphore without an acquire timeout",
        "[DistributedSemaphore] on '{0}' has no AcquireTimeoutSeconds: if holders stall, callers wait for a slot forever; set a timeout",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr401");

    /// <summary>Two methods of one rate-limit scope with different settings.</summary>
    public static readonly DiagnosticDescriptor ScopeSettingsDiffer = Error(
        "THR110",
        "Rate limit scope shared with different settings",
        "Scope '{0}' is also used by '{1}' with different settings: {2}; methods of one scope share its limits, so give them the same settings or different scopes");

    /// <summary>Two methods of one circuit breaker name with different settings.</summary>
    public static readonly DiagnosticDescriptor BreakerSettingsDiffer = Error(
        "THR305",
        "Circuit breaker shared with different settings",
        "Circuit breaker '{0}' is also used by '{1}' with different settings: {2}; methods of one breaker share its state, so give them the same settings or different names");

    /// <summary>PartitionKey naming no parameter or member.</summary>
    public static readonly DiagnosticDescriptor PartitionKeyNotFound = Error(
        "THR402",
        "Semaphore partition key does not name a parameter or member",
        "PartitionKey '{0}' does not resolve: {1}");

    /// <summary>Two methods of one semaphore key with different settings.</summary>
    public static readonly DiagnosticDescriptor SemaphoreSettingsDiffer = Error(
        "THR403",
        "Semaphore shared with different settings",
        "Semaphore '{0}' is also used by '{1}' with different settings: {2}; methods of one key share its slots, so give them the same settings or different keys");

    /// <summary>A registered semaphore's own settings given on the attribute too.</summary>
    public static readonly DiagnosticDescriptor SemaphoreWithRegisteredOptions = Error(
        "THR404",
        "Semaphore options are ignored with a registered semaphore",
        "[DistributedSemaphore] on '{0}' names the registered semaphore '{1}', which has its own settings; remove {2}");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
