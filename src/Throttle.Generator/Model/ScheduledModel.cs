namespace Throttle.Generator.Model;

/// <summary>How a scheduled method completes.</summary>
internal enum ScheduledReturn
{
    Void,
    Task,
    ValueTask,
}

/// <summary>One <c>[Scheduled]</c> method, as equatable data. Interval parts are null when not given.</summary>
internal sealed record ScheduledJobModel(
    string TypeKey,
    string MethodName,
    string JobName,
    bool IsStatic,
    ScheduledReturn Returns,
    bool TakesToken,
    double? Seconds,
    double? Minutes,
    double? Hours,
    string? Cron,
    bool OnlyOnLeader,
    string? Leadership,
    LocationInfo? Location);

/// <summary>A type that declares <c>[Scheduled]</c> methods: where its partial part goes.</summary>
/// <param name="TypeKey">The type's fully qualified name with <c>global::</c>.</param>
/// <param name="Containing">Each declaration from the outermost type to the type itself, e.g. <c>partial class Jobs</c>.</param>
internal sealed record ScheduledTypeModel(string TypeKey, string HintName, string? Namespace, EquatableArray<string> Containing);

/// <summary>What the parser makes of one method: the job (null when it has errors), its type, and the diagnostics.</summary>
internal sealed record ScheduledMethodResult(ScheduledJobModel? Job, ScheduledTypeModel Type, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One file to write: a type and its jobs.</summary>
internal sealed record ScheduledFileModel(ScheduledTypeModel Type, EquatableArray<ScheduledJobModel> Jobs);
