namespace Throttle.Generator.Model;

/// <summary>The <c>[Queued]</c> aspect of a method.</summary>
/// <param name="FieldName">The static field that holds the method's <c>QueuedSite</c>.</param>
/// <param name="SiteId">Unique name of the method; names its own queue.</param>
/// <param name="QueueName">A queue registered on the runtime, or null for the method's own.</param>
/// <param name="PriorityExpression">A constant or the name of the <c>int</c> parameter that carries the priority.</param>
internal sealed record QueuedModel(
    string FieldName,
    string SiteId,
    string? QueueName,
    int Workers,
    int MaxSize,
    string PriorityExpression);
