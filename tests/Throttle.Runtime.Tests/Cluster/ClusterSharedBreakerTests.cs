using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Throttle.Tests.Resilience;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Cluster;

/// <summary>
/// A shared circuit breaker on a Redis Cluster: three runtimes standing for processes, each on a connection of its own
/// seeded with a different master, so an announcement (sharded pub/sub in the breaker's slot) has to reach connections
/// that entered the cluster through other nodes.
/// </summary>
public sealed class ClusterSharedBreakerTests(RedisClusterFixture cluster, ITestOutputHelper output) : IClassFixture<RedisClusterFixture>
{
    private const string Name = "payments";
    private const int Processes = 3;

    [RedisClusterFact]
    public async Task Failures_in_one_runtime_open_all_one_trial_runs_across_them_and_its_success_closes_all()
    {
        await using var processes = await ProcessesAsync(nameof(Failures_in_one_runtime_open_all_one_trial_runs_across_them_and_its_success_closes_all));
        var site = SharedBreakers.Site(Name, threshold: 3, breakSeconds: 1);
        var pipelines = processes.Runtimes.Select(r => r.ResolvePipeline(site)).ToArray();
        foreach (var pipeline in pipelines)
        {
            await Calls.SucceedAsync(pipeline); // first use: joins (subscribes, checks the settings)
        }

        var breakers = processes.Runtimes.Select(r => SharedBreakers.Breaker(r, Name)).ToArray();
        Assert.All(breakers, b => Assert.True(b.IsShared));

        // Three failures in the first runtime; the others made no call since and open on the announcement.
        await Calls.FailAsync(pipelines[0], 3);
        Assert.Equal(CircuitState.Open, breakers[0].State);
        await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.Open), "every runtime's breaker is open");
        var counter = new Counter();
        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipelines[1], null, counter));
        Assert.IsType<BrokenCircuitException>(await Calls.RunAsync(pipelines[2], null, counter));
        Assert.Equal(0, counter.Count);

        // After the (1 s) break every runtime tries at once, three calls each that hold: exactly one is let in.
        await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.HalfOpen), "the break is over everywhere");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = Enumerable.Range(0, 3 * Processes).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var calls = Enumerable.Range(0, entered.Length)
            .Select(i => Task.Run(() => SharedBreakers.HoldAsync(pipelines[i % Processes], entered[i], release.Task)))
            .ToArray();
        var firstEntered = await Task.WhenAny(entered.Select(e => e.Task)).WaitAsync(SharedBreakers.Guard);
        var trial = Array.FindIndex(entered, e => e.Task == firstEntered);
        var others = await Task.WhenAll(calls.Where((_, i) => i != trial)).WaitAsync(SharedBreakers.Guard);
        Assert.All(others, rejection => Assert.IsType<BrokenCircuitException>(rejection));
        Assert.Equal(1, entered.Count(e => e.Task.IsCompleted));
        output.WriteLine($"the trial ran in runtime {trial % Processes}");

        // The trial succeeds: every runtime closes, and runs calls again.
        release.SetResult();
        Assert.Null(await calls[trial].WaitAsync(SharedBreakers.Guard));
        await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.Closed), "the trial's success closed every runtime");
        foreach (var pipeline in pipelines)
        {
            await Calls.SucceedAsync(pipeline);
        }
    }

    [RedisClusterFact]
    public async Task The_breakers_key_and_channel_share_one_slot_whose_master_serves_both()
    {
        var crossSlotBefore = await CrossSlotErrorsAsync();
        await using var processes = await ProcessesAsync(nameof(The_breakers_key_and_channel_share_one_slot_whose_master_serves_both));
        var pipelines = processes.Runtimes.Select(r => r.ResolvePipeline(SharedBreakers.Site(Name, threshold: 1, breakSeconds: 60))).ToArray();
        foreach (var pipeline in pipelines)
        {
            await Calls.SucceedAsync(pipeline);
        }

        // Every script the breaker has: join (above), failure (opens, announces), set (isolate, close), success.
        await Calls.FailAsync(pipelines[0], 1);
        var breakers = processes.Runtimes.Select(r => SharedBreakers.Breaker(r, Name)).ToArray();
        await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.Open), "every runtime's breaker is open");
        await breakers[1].IsolateAsync();
        await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.Isolated), "every runtime is isolated");
        await breakers[2].CloseAsync();
        await SharedBreakers.EventuallyAsync(() => breakers.All(b => b.State == CircuitState.Closed), "every runtime is closed");
        await Calls.SucceedAsync(pipelines[1]);

        Assert.Equal(crossSlotBefore, await CrossSlotErrorsAsync());

        var store = breakers[0].Shared!.Store;
        var stateKey = store.StateKey.ToString();
        var channel = store.Channel.ToString();
        var slot = await cluster.Cluster.KeySlotAsync(stateKey);
        Assert.Equal(slot, await cluster.Cluster.KeySlotAsync(channel));
        var master = await cluster.Cluster.MasterOfSlotAsync(slot);
        Assert.Equal(1, (await master.SendAsync("EXISTS", stateKey)).ExpectNumber());
        Assert.True((await master.SendAsync("TTL", stateKey)).ExpectNumber() > 0, "the state key has a TTL");

        // Each of the three connections subscribed on the slot's master, though two were seeded with other masters.
        var subscribers = (await master.SendAsync("PUBSUB", "SHARDNUMSUB", channel)).Items![1].ExpectNumber();
        Assert.Equal(Processes, subscribers);
        output.WriteLine($"state key {stateKey} and channel {channel} in slot {slot.ToString(CultureInfo.InvariantCulture)} on {master}; {subscribers} subscribers there");
    }

    /// <summary>Three runtimes under one key prefix, connection i seeded with master i only (the rest found by discovery).</summary>
    private async Task<RuntimeSet> ProcessesAsync(string testName)
    {
        var prefix = cluster.StoragePrefix(testName);
        var masters = await cluster.Cluster.MastersAsync();
        var set = new RuntimeSet();
        for (var i = 0; i < Processes; i++)
        {
            var seed = masters[i % masters.Count].Endpoint;
            var connection = await cluster.Cluster.ConnectAsync(o =>
            {
                o.EndPoints.Clear();
                o.EndPoints.Add(seed);
            });
            set.Connections[i] = connection;
            set.Runtimes[i] = new ThrottleRuntime(new ThrottleRuntimeOptions { MaxKeys = 100 }
                .UseRedis(connection, new RedisStorageOptions { KeyPrefix = prefix, OperationTimeout = TimeSpan.FromSeconds(5) }));
        }

        return set;
    }

    private async Task<long[]> CrossSlotErrorsAsync()
    {
        var result = new long[cluster.Cluster.Nodes.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var line = (await cluster.Cluster.Nodes[i].SendAsync("INFO", "errorstats")).ExpectText()
                .Split("\r\n").FirstOrDefault(l => l.StartsWith("errorstat_CROSSSLOT:count=", StringComparison.Ordinal));
            result[i] = line is null ? 0 : long.Parse(line["errorstat_CROSSSLOT:count=".Length..], CultureInfo.InvariantCulture);
        }

        return result;
    }

    private sealed class RuntimeSet : IAsyncDisposable
    {
        public ThrottleRuntime[] Runtimes { get; } = new ThrottleRuntime[Processes];

        public IConnectionMultiplexer[] Connections { get; } = new IConnectionMultiplexer[Processes];

        public async ValueTask DisposeAsync()
        {
            foreach (var runtime in Runtimes.Where(r => r is not null))
            {
                await runtime.DisposeAsync();
            }

            foreach (var connection in Connections.Where(c => c is not null))
            {
                await connection.DisposeAsync();
            }
        }
    }
}
