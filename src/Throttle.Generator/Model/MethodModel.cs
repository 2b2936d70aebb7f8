namespace Throttle.Generator.Model;

/// <summary>How the method returns, which decides the shape of the wrapper.</summary>
internal enum ReturnKind
{
    /// <summary>Synchronous <c>void</c>: blocks while waiting for a permit.</summary>
    Void,

    /// <summary>Synchronous value: blocks while waiting for a permit.</summary>
    Value,

    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>A type that encloses the method, outermost first, re-declared as partial around the generated member.</summary>
/// <param name="Declaration">The declaration head without accessibility, e.g. <c>static partial class Outer&lt;T&gt;</c>.</param>
internal sealed record ContainingTypeModel(string Declaration);

/// <summary>One parameter of the method.</summary>
/// <param name="Name">Identifier as written in C# (escaped with @ when it is a keyword).</param>
/// <param name="Type">Fully qualified type with nullable annotations.</param>
/// <param name="Modifiers">Modifiers the implementing declaration must repeat (<c>this </c>, <c>params </c>, <c>in </c>, <c>scoped </c>).</param>
internal sealed record ParameterModel(string Name, string Type, string Modifiers);

/// <summary>
/// Everything the emitter needs to write one method's wrapper: strings, numbers and flags only. Each aspect is
/// present when its attribute is; the emitter nests them in <see cref="Parsing.ThrottleAttributes.InWrappingOrder"/>.
/// </summary>
/// <param name="ResultType">For <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c>: <c>T</c>, fully qualified; otherwise null.</param>
/// <param name="Runtime">The member holding the runtime the sites run on; null for <c>ThrottleRuntime.Current</c>.</param>
internal sealed record MethodModel(
    string HintName,
    string? Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string SelfType,
    string Modifiers,
    string ReturnType,
    ReturnKind ReturnKind,
    string Name,
    string TypeParameters,
    EquatableArray<string> ConstraintClauses,
    EquatableArray<ParameterModel> Parameters,
    bool IsStatic,
    string CoreName,
    bool CoreIsStatic,
    string? CancellationTokenName,
    string? ResultType,
    RuntimeSourceModel? Runtime,
    QueuedModel? Queued,
    ResilienceModel? Resilience,
    RateLimitModel? RateLimit,
    SemaphoreModel? Semaphore);

/// <summary>
/// The transform's output for one method: the model to emit (when valid), the diagnostics to report, and the method's
/// claims on names it shares with other methods (checked against each other across the compilation).
/// </summary>
internal sealed record MethodResult(MethodModel? Model, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<SharedNameClaim> SharedNames);
