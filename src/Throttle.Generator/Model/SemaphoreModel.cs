namespace Throttle.Generator.Model;

/// <summary>The <c>[DistributedSemaphore]</c> aspect of a method.</summary>
/// <param name="FieldName">The static field that holds the method's <c>DistributedSemaphoreSite</c>.</param>
/// <param name="PartitionExpression">C# expression for the partition string, or null when the key is not partitioned.</param>
/// <param name="NullTestedParameter">The parameter <see cref="PartitionExpression"/> applies <c>?.</c> to, forwarded with <c>!</c>.</param>
internal sealed record SemaphoreModel(
    string FieldName,
    string SiteId,
    string Key,
    int Value,
    double AcquireTimeoutSeconds,
    double LeaseSeconds,
    double AcquireSleepDelaySeconds,
    string? PartitionExpression,
    string? NullTestedParameter);
