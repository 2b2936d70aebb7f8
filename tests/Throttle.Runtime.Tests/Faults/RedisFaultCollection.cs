using Xunit;

namespace Throttle.Tests.Faults;

/// <summary>
/// The fault matrix runs alone: it kills and pauses its own servers (never the shared one), and its unobserved-exception
/// check must only see its own tasks.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisFaultCollection
{
    public const string Name = "Redis faults";
}
