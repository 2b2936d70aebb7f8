namespace Throttle.Generator.Model;

/// <summary>The <c>[DistributedSemaphore]</c> aspect of a method.</summary>
/// <param name="FieldName">The static field that holds the method's <c>DistributedSemaphoreSite</c>.</param>
/// <param name="SemaphoreName">The registered semaphore of <c>Semaphore = ...</c>, which owns value, lease and polling delay; null for an inline one.</param>
/// <param name="Partition">Where each call's partition is read (<c>PartitionKey = ...</c>), or null when the key is not partitioned.</param>
internal sealed record SemaphoreModel(
    string FieldName,
    string SiteId,
    string Key,
    int Value,
    double AcquireTimeoutSeconds,
    double LeaseSeconds,
    double AcquireSleepDelaySeconds,
    KeyPathModel? Partition,
    string? SemaphoreName = null);
