using Xunit;

namespace Throttle.Tests;

/// <summary>
/// Tests that measure the process's heap (<see cref="System.GC.GetTotalMemory(bool)"/>) run alone: tests running beside
/// them would allocate between their two readings and be counted as their growth.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurementCollection
{
    public const string Name = "Heap measurement";
}
