using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Hosting.Tests;

[CollectionDefinition(RedisFixture.CollectionName)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>;
