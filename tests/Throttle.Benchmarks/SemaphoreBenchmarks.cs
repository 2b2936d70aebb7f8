using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using Throttle.Semaphores;

namespace Throttle.Benchmarks;

/// <summary>
/// Issue 4's semaphore figures, each category against its baseline in the same run:
/// <list type="bullet">
/// <item>Uncontended acquire + release on Redis (2 round trips per pair for both): Throttle's leased semaphore against
/// the spec's design (a counter and a max key, Lua DECR-if-positive / bounded INCR, polling at 0.1 s).</item>
/// <item>Hand-off from a release to a waiting acquirer: two contenders on a semaphore of value 1, Throttle (pub/sub
/// wake-up) against the spec's polling at 0.1 s. Mean per hand-off here; p50/p99 printed by GlobalCleanup.</item>
/// <item>Throughput: 50 contenders on a semaphore of value 10, per acquire/release pair.</item>
/// <item>In process: <see cref="InProcessSemaphore"/> against <see cref="SemaphoreSlim"/>, uncontended.</item>
/// </list>
/// Needs a Redis server: <c>THROTTLE_REDIS=127.0.0.1:6379</c>.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SemaphoreBenchmarks
{
    private const int Handoffs = 20;
    private const int Contenders = 50;
    private const int PairsPerContender = 4;

    private static readonly TimeSpan SpecSleep = TimeSpan.FromSeconds(0.1);

    private readonly Dictionary<string, List<double>> _handoffMicros = [];
    private ConnectionMultiplexer _redis = null!;
    private DistributedBoundedSemaphore _uncontended = null!;
    private SpecPollingSemaphore _specUncontended = null!;
    private DistributedBoundedSemaphore _handoff = null!;
    private SpecPollingSemaphore _specHandoff = null!;
    private DistributedBoundedSemaphore _throughput = null!;
    private SpecPollingSemaphore _specThroughput = null!;
    private InProcessSemaphore _inProcess = null!;
    private SemaphoreSlim _slim = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var endpoint = Environment.GetEnvironmentVariable("THROTTLE_REDIS")
            ?? throw new InvalidOperationException("SemaphoreBenchmarks need a Redis server: set THROTTLE_REDIS=host:port.");
        _redis = await ConnectionMultiplexer.ConnectAsync(endpoint).ConfigureAwait(false);
        var run = Guid.NewGuid().ToString("N")[..8];
        _uncontended = new DistributedBoundedSemaphore(_redis, $"bench:{run}:uncontended", 1);
        _specUncontended = await SpecPollingSemaphore.CreateAsync(_redis.GetDatabase(), $"bench:{run}:spec-uncontended", 1, SpecSleep).ConfigureAwait(false);
        _handoff = new DistributedBoundedSemaphore(_redis, $"bench:{run}:handoff", 1);
        _specHandoff = await SpecPollingSemaphore.CreateAsync(_redis.GetDatabase(), $"bench:{run}:spec-handoff", 1, SpecSleep).ConfigureAwait(false);
        _throughput = new DistributedBoundedSemaphore(_redis, $"bench:{run}:throughput", 10);
        _specThroughput = await SpecPollingSemaphore.CreateAsync(_redis.GetDatabase(), $"bench:{run}:spec-throughput", 10, SpecSleep).ConfigureAwait(false);
        _inProcess = new InProcessSemaphore("bench", 1);
        _slim = new SemaphoreSlim(1, 1);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var (name, samples) in _handoffMicros)
        {
            if (samples.Count > 0)
            {
                samples.Sort();
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"// Hand-off latency {name}: n={samples.Count}, p50={Percentile(samples, 0.50):0.0} us, p99={Percentile(samples, 0.99):0.0} us, max={samples[^1]:0.0} us"));
            }
        }

        await _uncontended.DisposeAsync().ConfigureAwait(false);
        await _handoff.DisposeAsync().ConfigureAwait(false);
        await _throughput.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
        _slim.Dispose();
    }

    [BenchmarkCategory("Redis uncontended pair"), Benchmark(Baseline = true, Description = "Spec design: Lua DECR-if-positive + bounded INCR")]
    public async Task Spec_Uncontended() => await _specUncontended.ReleaseAsync(await _specUncontended.AcquireAsync().ConfigureAwait(false)).ConfigureAwait(false);

    [BenchmarkCategory("Redis uncontended pair"), Benchmark(Description = "DistributedBoundedSemaphore acquire + release")]
    public async Task Throttle_Uncontended()
    {
        var lease = await _uncontended.AcquireAsync().ConfigureAwait(false);
        await lease.ReleaseAsync().ConfigureAwait(false);
    }

    [BenchmarkCategory("Redis hand-off"), Benchmark(Baseline = true, OperationsPerInvoke = Handoffs, Description = "Spec design: polling every 0.1 s")]
    public Task Spec_Handoff() => PingPongAsync(
        "spec polling 0.1 s",
        async () => await _specHandoff.AcquireAsync().ConfigureAwait(false),
        state => _specHandoff.ReleaseAsync((bool)state));

    [BenchmarkCategory("Redis hand-off"), Benchmark(OperationsPerInvoke = Handoffs, Description = "DistributedBoundedSemaphore (pub/sub wake-up)")]
    public Task Throttle_Handoff() => PingPongAsync(
        "Throttle pub/sub",
        async () => await _handoff.AcquireAsync().ConfigureAwait(false),
        state => ((SemaphoreLease)state).ReleaseAsync().AsTask());

    [BenchmarkCategory("Redis throughput, value 10, 50 contenders"), Benchmark(Baseline = true, OperationsPerInvoke = Contenders * PairsPerContender, Description = "Spec design: polling every 0.1 s")]
    public Task Spec_Throughput() => ContendAsync(async () =>
    {
        var state = await _specThroughput.AcquireAsync().ConfigureAwait(false);
        await _specThroughput.ReleaseAsync(state).ConfigureAwait(false);
    });

    [BenchmarkCategory("Redis throughput, value 10, 50 contenders"), Benchmark(OperationsPerInvoke = Contenders * PairsPerContender, Description = "DistributedBoundedSemaphore")]
    public Task Throttle_Throughput() => ContendAsync(async () =>
    {
        var lease = await _throughput.AcquireAsync().ConfigureAwait(false);
        await lease.ReleaseAsync().ConfigureAwait(false);
    });

    [BenchmarkCategory("In-process uncontended pair"), Benchmark(Baseline = true, Description = "SemaphoreSlim WaitAsync + Release")]
    public async Task Slim_Uncontended()
    {
        await _slim.WaitAsync().ConfigureAwait(false);
        _slim.Release();
    }

    [BenchmarkCategory("In-process uncontended pair"), Benchmark(Description = "InProcessSemaphore acquire + dispose")]
    public async Task InProcess_Uncontended()
    {
        var lease = await _inProcess.AcquireAsync().ConfigureAwait(false);
        await lease.DisposeAsync().ConfigureAwait(false);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task ContendAsync(Func<Task> pair)
    {
        var contenders = new Task[Contenders];
        for (var i = 0; i < contenders.Length; i++)
        {
            contenders[i] = Task.Run(async () =>
            {
                for (var j = 0; j < PairsPerContender; j++)
                {
                    await pair().ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(contenders).ConfigureAwait(false);
    }

    /// <summary>
    /// Two contenders pass a semaphore of value 1 back and forth until <see cref="Handoffs"/> slots have gone from one
    /// to the other; each hand-off's latency (release called → the other's acquire returned) is recorded.
    /// </summary>
    private async Task PingPongAsync(string name, Func<Task<object>> acquire, Func<object, Task> release)
    {
        if (!_handoffMicros.TryGetValue(name, out var samples))
        {
            _handoffMicros[name] = samples = [];
        }

        var handoffs = 0;
        var lastReleaser = -1;
        long releasedAt = 0;
        async Task RunAsync(int me)
        {
            while (true)
            {
                var state = await acquire().ConfigureAwait(false);
                var acquiredAt = Stopwatch.GetTimestamp();
                var previous = Volatile.Read(ref lastReleaser);
                var done = Volatile.Read(ref handoffs) >= Handoffs;
                if (!done && previous >= 0 && previous != me)
                {
                    lock (samples)
                    {
                        samples.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref releasedAt), acquiredAt).TotalMicroseconds);
                    }

                    done = Interlocked.Increment(ref handoffs) >= Handoffs;
                }

                Volatile.Write(ref lastReleaser, me);
                Volatile.Write(ref releasedAt, Stopwatch.GetTimestamp());
                await release(state).ConfigureAwait(false);
                if (done)
                {
                    return;
                }
            }
        }

        await Task.WhenAll(Task.Run(() => RunAsync(0)), Task.Run(() => RunAsync(1))).ConfigureAwait(false);
    }

    /// <summary>
    /// The spec's design, written by hand as the baseline: the free count in one key and the maximum in another (both
    /// set only when absent), acquire = Lua DECR if positive, else sleep and retry; release = Lua INCR unless at the
    /// maximum. No leases, no queue, no wake-up.
    /// </summary>
    private sealed class SpecPollingSemaphore
    {
        private const string AcquireScript = """
            local v = tonumber(redis.call('GET', KEYS[1]) or '0')
            if v > 0 then redis.call('DECR', KEYS[1]) return 1 end
            return 0
            """;

        private const string ReleaseScript = """
            local v = tonumber(redis.call('GET', KEYS[1]) or '0')
            if v >= tonumber(redis.call('GET', KEYS[2])) then return -1 end
            redis.call('INCR', KEYS[1])
            return 1
            """;

        private readonly IDatabase _database;
        private readonly RedisKey[] _keys;
        private readonly TimeSpan _sleep;

        private SpecPollingSemaphore(IDatabase database, string key, TimeSpan sleep)
        {
            _database = database;
            _keys = ["{" + key + "}:count", "{" + key + "}:max"];
            _sleep = sleep;
        }

        public static async Task<SpecPollingSemaphore> CreateAsync(IDatabase database, string key, int value, TimeSpan sleep)
        {
            var semaphore = new SpecPollingSemaphore(database, key, sleep);
            await database.StringSetAsync(semaphore._keys[0], value, when: When.NotExists).ConfigureAwait(false);
            await database.StringSetAsync(semaphore._keys[1], value, when: When.NotExists).ConfigureAwait(false);
            return semaphore;
        }

        public async Task<bool> AcquireAsync()
        {
            while ((long)await _database.ScriptEvaluateAsync(AcquireScript, _keys).ConfigureAwait(false) != 1)
            {
                await Task.Delay(_sleep).ConfigureAwait(false);
            }

            return true;
        }

        public async Task ReleaseAsync(bool acquired)
        {
            if (acquired && (long)await _database.ScriptEvaluateAsync(ReleaseScript, _keys).ConfigureAwait(false) != 1)
            {
                throw new InvalidOperationException("Released above the maximum.");
            }
        }
    }
}
