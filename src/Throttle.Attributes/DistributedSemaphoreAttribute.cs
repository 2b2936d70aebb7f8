using System;
using Throttle.Policies;

namespace Throttle;

/// <summary>
/// Bounds how many calls of the annotated partial method run at once, across every process that shares the
/// runtime's Redis (or within this process when no Redis is configured). A slot is acquired before the
/// implementation runs and released afterwards, whether it succeeds, throws or is cancelled.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DistributedSemaphoreAttribute : Attribute
{
    /// <summary>Bounds the method to <paramref name="value"/> concurrent calls under <paramref name="key"/>.</summary>
    /// <param name="key">The semaphore's name; methods using the same key share its slots.</param>
    /// <param name="value">The number of slots; at least <c>Throttle.Policies.DistributedSemaphoreOptions.MinValue</c> (1).</param>
    public DistributedSemaphoreAttribute(string key, int value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>
    /// Bounds the method by the semaphore registered on the runtime under <see cref="Semaphore"/> (configuration
    /// <c>Throttle:Semaphores:&lt;key&gt;</c>, <c>AddSemaphore</c> or <c>ThrottleRuntime.RegisterSemaphore</c>), which owns
    /// its value, lease and polling delay: <c>[DistributedSemaphore(Semaphore = "licences", AcquireTimeoutSeconds = 5)]</c>.
    /// </summary>
    public DistributedSemaphoreAttribute()
    {
        Key = string.Empty;
    }

    /// <summary>
    /// The key of a semaphore registered on the runtime, whose settings (value, lease, polling delay) the registration
    /// owns; the first call fails, and a host does not start, when it is not registered. Only <see cref="AcquireTimeoutSeconds"/>
    /// may be set beside it (THR404 otherwise).
    /// </summary>
    public string? Semaphore { get; set; }

    /// <summary>The semaphore's name; empty in the <see cref="Semaphore"/> form.</summary>
    public string Key { get; }

    /// <summary>The number of slots; 0 in the <see cref="Semaphore"/> form.</summary>
    public int Value { get; }

    /// <summary>
    /// A parameter (or <c>parameter.Member</c> path) whose value partitions the semaphore: one semaphore per value.
    /// </summary>
    public string? PartitionKey { get; set; }

    /// <summary>
    /// The longest a call waits for a slot, in seconds: positive, or <see cref="double.PositiveInfinity"/>. Default
    /// <c>Throttle.Policies.DistributedSemaphoreOptions.DefaultAcquireTimeoutSeconds</c>: no limit (reported as THR401).
    /// </summary>
    public double AcquireTimeoutSeconds { get; set; } = DistributedSemaphoreOptions.DefaultAcquireTimeoutSeconds;

    /// <summary>
    /// How long a held slot survives without renewal, so a crashed holder's slot comes back, in seconds. Default and
    /// bounds: <c>Throttle.Policies.DistributedSemaphoreOptions.DefaultLeaseSeconds</c> (30 s), from <c>MinLeaseSeconds</c>
    /// (30 ms) to <c>MaxLeaseSeconds</c>.
    /// </summary>
    public double LeaseSeconds { get; set; } = DistributedSemaphoreOptions.DefaultLeaseSeconds;

    /// <summary>
    /// Polling delay used only when no wake-up notification arrives, in seconds. Default and bounds:
    /// <c>Throttle.Policies.DistributedSemaphoreOptions.DefaultAcquireSleepDelaySeconds</c> (0.1 s), positive, at most
    /// <c>MaxAcquireSleepDelaySeconds</c>.
    /// </summary>
    public double AcquireSleepDelaySeconds { get; set; } = DistributedSemaphoreOptions.DefaultAcquireSleepDelaySeconds;
}
