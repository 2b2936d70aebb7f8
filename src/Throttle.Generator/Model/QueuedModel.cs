namespace Throttle.Generator.Model;

/// <summary>The <c>[Queued]</c> aspect of a method.</summary>
/// <param name="FieldName">The static field that holds the method's <c>QueuedSite</c>.</param>
/// <param name="SiteId">Unique name of the method; names its own queue.</param>
/// <param name="QueueName">A queue registered on the runtime, or null for the method's own.</param>
/// <param name="Priority">The priority of every call, when <paramref name="PriorityParameter"/> is null.</param>
/// <param name="PriorityParameter">The <c>int</c> parameter that carries each call's priority (as declared, not escaped), or null.</param>
/// <param name="Kind">What each call gives its queue, as the <c>QueueKind</c> value: which queue kinds fit the method.</param>
/// <param name="DelayParameter">The <c>TimeSpan</c> parameter that carries each call's delay (as declared), or null.</param>
/// <param name="DedupeKey">Where each call's dedupe key is read, or null.</param>
internal sealed record QueuedModel(
    string FieldName,
    string SiteId,
    string? QueueName,
    int Workers,
    int MaxSize,
    int Priority,
    string? PriorityParameter,
    int Kind,
    string? DelayParameter,
    KeyPathModel? DedupeKey);
