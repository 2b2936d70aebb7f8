using System;
using System.Threading.Tasks;
using Throttle.Storage;

namespace Throttle.Tests.Limiters.Contract;

/// <summary>The leaky bucket contract on <see cref="MemoryStorage"/>, on the fake clock: start times are exact.</summary>
public sealed class MemoryLeakyBucketContractTests : LeakyBucketContractTests
{
    protected override bool SupportsFakeTime => true;

    protected override ValueTask<ThrottleStorage> CreateStorageAsync(TimeProvider clock) => new(new MemoryStorage(10_000, clock));

    protected override Task<double> NowAsync() => Task.FromResult((Clock.GetUtcNow() - Clock.Start).TotalSeconds);
}
