using System;
using System.Threading.Tasks;
using Throttle.Storage;

namespace Throttle.Tests.Limiters.Contract;

/// <summary>The limiter contract on <see cref="MemoryStorage"/>, with fake time.</summary>
public sealed class MemoryLimiterContractTests : LimiterContractTests
{
    protected override bool SupportsFakeTime => true;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) =>
        new(new MemoryStorage(10_000, clock));
}
