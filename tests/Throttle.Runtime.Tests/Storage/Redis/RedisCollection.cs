using System.Diagnostics.CodeAnalysis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

/// <summary>The "redis" collection: its tests share one <see cref="RedisFixture"/> (and the process-wide Redis server).</summary>
[CollectionDefinition(RedisFixture.CollectionName)]
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "An xunit test collection.")]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
}
