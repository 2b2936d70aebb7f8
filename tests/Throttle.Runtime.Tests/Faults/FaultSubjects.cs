using System;
using System.Collections.Generic;
using Throttle.Storage.Redis;

namespace Throttle.Tests.Faults;

/// <summary>The subjects of the matrix: each limiter algorithm and the semaphore, on a storage of each failure policy.</summary>
internal static class FaultSubjects
{
    /// <summary>
    /// Add new subjects here (leader election is one per storage: <see cref="CoordinatorFaultSubject"/>); every fault test runs them all.
    /// </summary>
    public static IReadOnlyList<IFaultSubject> All(IEnumerable<RedisStorage> storages, TimeSpan leaseTime)
    {
        var subjects = new List<IFaultSubject>();
        foreach (var storage in storages)
        {
            subjects.Add(new LimiterFaultSubject("token-bucket", storage));
            subjects.Add(new LimiterFaultSubject("sliding-window", storage));
            subjects.Add(new LimiterFaultSubject("leaky-bucket", storage));
            subjects.Add(new SemaphoreFaultSubject(storage, leaseTime));
            subjects.Add(new CoordinatorFaultSubject(storage));
        }

        return subjects;
    }
}
