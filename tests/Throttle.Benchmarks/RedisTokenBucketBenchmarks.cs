using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using Throttle.Limiters.Backends;
using Throttle.Storage.Redis;

namespace Throttle.Benchmarks;

/// <summary>
/// Redis token bucket acquire throughput with 1 and with 64 operations in flight, each against the bare client running the
/// same Lua script (<c>ScriptEvaluateAsync</c> → <c>EVALSHA</c>, the ratio baseline). Needs <c>THROTTLE_REDIS=host:port</c>;
/// <c>redis-baseline.sh</c> starts a server, runs this and <c>redis-benchmark</c> on the same script, and prints both.
/// Every operation is counted into the Redis key <c>throttle-bench:ops</c> so the script can check that the server saw
/// exactly one <c>EVALSHA</c> per acquire.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RedisTokenBucketBenchmarks
{
    private const int Sequential = 100;
    private const int InFlight = 64;
    private const int PerWorker = 16;

    // Never runs out: a trillion tokens refilled at a trillion per second.
    private static readonly LimiterRate s_rate = new(1e12, 1e12);

    private ConnectionMultiplexer _connection = null!;
    private RedisStorage _storage = null!;
    private ILimiterBackend _backend = null!;
    private IDatabase _database = null!;
    private RedisKey[] _rawKeys = null!;
    private RedisValue[] _rawArgs = null!;
    private long _operations;

    [GlobalSetup]
    public void Setup()
    {
        var endpoint = Environment.GetEnvironmentVariable("THROTTLE_REDIS")
            ?? throw new InvalidOperationException("Set THROTTLE_REDIS=host:port (redis-baseline.sh does).");
        _connection = ConnectionMultiplexer.Connect(endpoint);
        _database = _connection.GetDatabase();
        _storage = new RedisStorage(_connection, new RedisStorageOptions { KeyPrefix = "throttle-bench" });
        _backend = _storage.CreateLimiterBackend(new LimiterDefinition(LimiterAlgorithm.TokenBucket, "bench", s_rate.Capacity, s_rate.PerSecond, TimeSpan.Zero));
        _rawKeys = ["throttle-bench:{raw:key}:tb"];
        var number = s_rate.Capacity.ToString("R", CultureInfo.InvariantCulture);
        _rawArgs = [number, number, "1"];
        _backend.TryAcquireAsync("key", 1, s_rate, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _database.ScriptEvaluate(RedisScripts.TokenBucketAcquire.Text, _rawKeys, _rawArgs);
        _operations = 2;

        // redis-baseline.sh checks that redis-benchmark ran this very script.
#pragma warning disable CA5350 // SHA1 is what Redis names scripts by, not a security measure.
        var sha = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(RedisScripts.TokenBucketAcquire.Text))).ToLowerInvariant();
#pragma warning restore CA5350
        _database.StringSet("throttle-bench:sha", sha);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.StringIncrement("throttle-bench:ops", Interlocked.Read(ref _operations));
        _storage.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _connection.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Sequential, Description = "SE.Redis EVALSHA, 1 in flight")]
    [BenchmarkCategory("1 in flight")]
    public async Task Raw_Sequential()
    {
        for (var i = 0; i < Sequential; i++)
        {
            await _database.ScriptEvaluateAsync(RedisScripts.TokenBucketAcquire.Text, _rawKeys, _rawArgs).ConfigureAwait(false);
        }

        Interlocked.Add(ref _operations, Sequential);
    }

    [Benchmark(OperationsPerInvoke = Sequential, Description = "Redis token bucket acquire, 1 in flight")]
    [BenchmarkCategory("1 in flight")]
    public async Task Throttle_Sequential()
    {
        for (var i = 0; i < Sequential; i++)
        {
            await _backend.TryAcquireAsync("key", 1, s_rate, CancellationToken.None).ConfigureAwait(false);
        }

        Interlocked.Add(ref _operations, Sequential);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = InFlight * PerWorker, Description = "SE.Redis EVALSHA, 64 in flight")]
    [BenchmarkCategory("64 in flight")]
    public Task Raw_Concurrent() => RunConcurrentAsync(static async self =>
    {
        for (var i = 0; i < PerWorker; i++)
        {
            await self._database.ScriptEvaluateAsync(RedisScripts.TokenBucketAcquire.Text, self._rawKeys, self._rawArgs).ConfigureAwait(false);
        }
    });

    [Benchmark(OperationsPerInvoke = InFlight * PerWorker, Description = "Redis token bucket acquire, 64 in flight")]
    [BenchmarkCategory("64 in flight")]
    public Task Throttle_Concurrent() => RunConcurrentAsync(static async self =>
    {
        for (var i = 0; i < PerWorker; i++)
        {
            await self._backend.TryAcquireAsync("key", 1, s_rate, CancellationToken.None).ConfigureAwait(false);
        }
    });

    /// <summary>64 workers, each awaiting its operations one after another: 64 operations in flight at any time.</summary>
    private async Task RunConcurrentAsync(Func<RedisTokenBucketBenchmarks, Task> worker)
    {
        var workers = new Task[InFlight];
        for (var w = 0; w < InFlight; w++)
        {
            workers[w] = worker(this);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        Interlocked.Add(ref _operations, InFlight * PerWorker);
    }
}
