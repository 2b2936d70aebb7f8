using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Throttle.Testing.Redis;

/// <summary>
/// A real Redis Cluster for tests: six <c>redis-server</c> child processes on loopback ports (three masters, three
/// replicas, <c>cluster-enabled yes</c>), created with <c>redis-cli --cluster create</c>. <see cref="GetSharedAsync"/>
/// starts the one the test process shares and stops it when the process exits; tests keep to their own keys.
/// Helpers find the master of a key's slot, kill a node with SIGKILL, fail over by hand and wait for the cluster to heal.
/// </summary>
/// <remarks>
/// <c>cluster-node-timeout</c> is <see cref="NodeTimeout"/>, so a killed master's replica takes over within a few
/// seconds. Needs <c>redis-server</c> (<c>THROTTLE_REDIS_SERVER_PATH</c> or PATH) and <c>redis-cli</c> (next to it or on
/// PATH, Debian package redis-tools); <c>THROTTLE_REDIS</c> and Docker are not used.
/// </remarks>
public sealed class RedisCluster : IAsyncDisposable
{
    /// <summary>Masters in the cluster.</summary>
    public const int MasterCount = 3;

    /// <summary>The <c>cluster-node-timeout</c> of every node.</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromMilliseconds(2000);

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(50);

    private static readonly Lazy<string?> s_cliBinary = new(FindCli, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<Task<RedisCluster>> s_shared =
        new(() => Task.Run(() => StartAsync(CancellationToken.None)), LazyThreadSafetyMode.ExecutionAndPublication);

    private RedisCluster(IReadOnlyList<RedisClusterNode> nodes, TimeSpan startup)
    {
        Nodes = nodes;
        StartupTime = startup;
        ConnectionString = string.Join(",", nodes.Take(MasterCount).Select(n => n.Endpoint));
    }

    /// <summary>The six nodes, in the order they were started (roles change with failovers; ask the cluster).</summary>
    public IReadOnlyList<RedisClusterNode> Nodes { get; }

    /// <summary>The endpoints of the three nodes created as masters, comma-separated: a StackExchange.Redis connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>How long starting the cluster took, until it was ready.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>The redis-cli binary, or <see langword="null"/> when there is none.</summary>
    public static string? CliBinary => s_cliBinary.Value;

    /// <summary>Whether a cluster can be started here: redis-server and redis-cli are installed.</summary>
    public static bool IsAvailable => RedisAvailability.ServerBinary is not null && CliBinary is not null;

    /// <summary>Why cluster tests cannot run, or <see langword="null"/>: the binaries are there, or <c>THROTTLE_REQUIRE_REDIS=1</c> makes them run (and fail).</summary>
    public static string? GetSkipReason() =>
        IsAvailable || RedisAvailability.IsRequired ? null : DescribeUnavailable() + $" Set {RedisAvailability.RequireVariable}=1 to fail instead of skipping.";

    /// <summary>The process-wide cluster, started on first use and stopped when the process exits; the outcome is cached.</summary>
    public static Task<RedisCluster> GetSharedAsync() => s_shared.Value;

    /// <summary>Starts a cluster the caller owns (dispose it), waiting until every node reports <c>cluster_state:ok</c> and every replica is in sync.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<RedisCluster> StartAsync(CancellationToken cancellationToken)
    {
        if (!IsAvailable)
        {
            throw new RedisUnavailableException(DescribeUnavailable());
        }

        var started = Stopwatch.StartNew();
        var binary = RedisAvailability.ServerBinary!;

        // In parallel: each node is a process of its own, and a 2-core machine spends most of the start waiting.
        var starting = Enumerable.Range(0, 2 * MasterCount).Select(_ => StartNodeAsync(binary, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starting).ConfigureAwait(false);
        }
        catch
        {
            foreach (var node in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await node.Result.Host.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        var cluster = new RedisCluster([.. starting.Select(t => t.Result)], TimeSpan.Zero);
        try
        {
            await cluster.CreateAsync(cancellationToken).ConfigureAwait(false);
            await cluster.WaitUntilHealthyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RedisCluster(cluster.Nodes, started.Elapsed);
    }

    /// <summary>
    /// Connection options for the cluster, made for tests: every node as an endpoint, <c>AbortOnConnectFail = false</c>,
    /// 2 s connect timeout, 5 s command timeouts, reconnects every 250 ms. A new instance on each call, free to change.
    /// </summary>
    public ConfigurationOptions CreateOptions()
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = 2_000,
            ConnectRetry = 3,
            SyncTimeout = 5_000,
            AsyncTimeout = 5_000,
            ReconnectRetryPolicy = new LinearRetry(250),
            ClientName = "throttle-cluster-tests",
        };
        foreach (var endpoint in ConnectionString.Split(','))
        {
            options.EndPoints.Add(endpoint);
        }

        return options;
    }

    /// <summary>Opens a connection with <see cref="CreateOptions"/>, after <paramref name="configure"/> adjusted them; the caller disposes it.</summary>
    /// <param name="configure">Changes to the options, or <see langword="null"/>.</param>
    public async Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = CreateOptions();
        configure?.Invoke(options);
        var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        if (connection.GetServers().Count(s => s.IsConnected && !s.IsReplica) < MasterCount)
        {
            // AbortOnConnectFail=false returns before every node is connected; tests want the whole cluster.
            await WaitAsync(() => Task.FromResult(connection.GetServers().Count(s => s.IsConnected && !s.IsReplica) >= MasterCount), "the client to connect to every master", CancellationToken.None)
                .ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>The hash slot of <paramref name="key"/>, as the cluster computes it (<c>CLUSTER KEYSLOT</c>).</summary>
    /// <param name="key">A Redis key.</param>
    public async Task<int> KeySlotAsync(string key)
    {
        var node = AnyRunning();
        return (int)(await node.SendAsync("CLUSTER", "KEYSLOT", key).ConfigureAwait(false)).ExpectNumber();
    }

    /// <summary>The master serving <paramref name="slot"/>, as the running nodes agree.</summary>
    /// <param name="slot">A hash slot, 0 to 16383.</param>
    public async Task<RedisClusterNode> MasterOfSlotAsync(int slot)
    {
        var topology = await AnyRunning().TopologyAsync().ConfigureAwait(false);
        var master = topology.MasterOf(slot) ?? throw new InvalidOperationException($"No live master serves slot {slot}.");
        return NodeAt(master.Port);
    }

    /// <summary>The master serving the slot of <paramref name="key"/>.</summary>
    /// <param name="key">A Redis key.</param>
    public async Task<RedisClusterNode> MasterOfKeyAsync(string key) => await MasterOfSlotAsync(await KeySlotAsync(key).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>The masters serving slots now.</summary>
    public async Task<IReadOnlyList<RedisClusterNode>> MastersAsync()
    {
        var topology = await AnyRunning().TopologyAsync().ConfigureAwait(false);
        return [.. topology.LiveMasters.Select(m => NodeAt(m.Port))];
    }

    /// <summary>The (running) replica of <paramref name="master"/>.</summary>
    /// <param name="master">A master.</param>
    public async Task<RedisClusterNode> ReplicaOfAsync(RedisClusterNode master)
    {
        ArgumentNullException.ThrowIfNull(master);
        var topology = await master.TopologyAsync().ConfigureAwait(false);
        var id = topology.Myself?.Id ?? throw new InvalidOperationException($"{master} does not know itself.");
        var replica = topology.Entries.FirstOrDefault(e => e.MasterId == id && !e.IsFailed)
            ?? throw new InvalidOperationException($"{master} has no live replica.");
        return NodeAt(replica.Port);
    }

    /// <summary>Kills <paramref name="node"/> with SIGKILL (<c>kill -9</c>) and returns once the process is gone.</summary>
    /// <param name="node">A node of this cluster.</param>
    public Task KillAsync(RedisClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Host.StopAsync();
    }

    /// <summary>Starts a killed node again (same ports and <c>nodes.conf</c>) and waits until the cluster is healthy again.</summary>
    /// <param name="node">A node of this cluster.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task RestartAsync(RedisClusterNode node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        await node.Host.StartAsync(cancellationToken).ConfigureAwait(false);
        await WaitUntilHealthyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>CLUSTER FAILOVER</c> on <paramref name="replica"/>: the replica catches up with its master, then the two swap
    /// roles. Returns once the replica is master and the cluster is healthy.
    /// </summary>
    /// <param name="replica">A replica of this cluster.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task FailoverAsync(RedisClusterNode replica, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var reply = await replica.SendAsync("CLUSTER", "FAILOVER").ConfigureAwait(false);
        if (reply.Text != "OK")
        {
            throw new InvalidOperationException($"CLUSTER FAILOVER on {replica} answered {reply}.");
        }

        await WaitUntilMasterAsync(replica, cancellationToken).ConfigureAwait(false);
        await WaitUntilHealthyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until <paramref name="node"/> is a master serving slots in the view of every running master.</summary>
    /// <param name="node">A node of this cluster.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task WaitUntilMasterAsync(RedisClusterNode node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        return WaitAsync(
            async () =>
            {
                foreach (var other in Nodes.Where(n => n.IsRunning))
                {
                    var topology = await other.TopologyAsync().ConfigureAwait(false);
                    if (!topology.LiveMasters.Any(m => m.Port == node.Port))
                    {
                        return false;
                    }
                }

                return true;
            },
            $"{node} to become master",
            cancellationToken);
    }

    /// <summary>
    /// Waits until every node runs and reports <c>cluster_state:ok</c> with all slots served, the nodes agree on
    /// <see cref="MasterCount"/> masters with one replica each, and every replica's link to its master is up and synced.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task WaitUntilHealthyAsync(CancellationToken cancellationToken = default) =>
        WaitAsync(IsHealthyAsync, "the cluster to be healthy", cancellationToken);

    /// <summary>Stops every node and removes their directories.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.Host.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Redis Cluster on {string.Join(",", Nodes.Select(n => n.Endpoint))}";

    private static async Task<RedisClusterNode> StartNodeAsync(string binary, CancellationToken cancellationToken)
    {
        var busPort = 0;
        var host = await RedisProcessHost.StartNewAsync(
            binary,
            cancellationToken,
            () =>
            {
                busPort = LoopbackPort.GetFree();
                return
                [
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", ((int)NodeTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                    "--cluster-port", busPort.ToString(CultureInfo.InvariantCulture),
                    // A replica may always take over, however long its link was down (the tests kill masters).
                    "--cluster-replica-validity-factor", "0",
                    // Replicas sync at once instead of waiting 5 s for more replicas to join a diskless transfer.
                    "--repl-diskless-sync", "yes",
                    "--repl-diskless-sync-delay", "0",
                ];
            }).ConfigureAwait(false);
        return new RedisClusterNode(host, busPort);
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(CliBinary!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("--cluster");
        startInfo.ArgumentList.Add("create");
        foreach (var node in Nodes)
        {
            startInfo.ArgumentList.Add(node.Endpoint);
        }

        startInfo.ArgumentList.Add("--cluster-replicas");
        startInfo.ArgumentList.Add("1");
        startInfo.ArgumentList.Add("--cluster-yes");

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {CliBinary}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_readyTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"redis-cli --cluster create did not finish within {s_readyTimeout.TotalSeconds:0} s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"redis-cli --cluster create exited with {process.ExitCode}:{Environment.NewLine}{await output.ConfigureAwait(false)}{await error.ConfigureAwait(false)}");
        }
    }

    private async Task<bool> IsHealthyAsync()
    {
        if (Nodes.Any(n => !n.IsRunning))
        {
            return false;
        }

        RedisClusterTopology? first = null;
        foreach (var node in Nodes)
        {
            var info = (await node.SendAsync("CLUSTER", "INFO").ConfigureAwait(false)).ExpectText();
            if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) ||
                !info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal) ||
                !info.Contains("cluster_known_nodes:" + Nodes.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                return false;
            }

            var topology = await node.TopologyAsync().ConfigureAwait(false);
            if (topology.Entries.Any(e => e.IsFailed || (!e.IsMyself && !e.IsLinked)))
            {
                return false;
            }

            var masters = topology.LiveMasters.ToList();
            if (masters.Count != MasterCount || masters.Any(m => topology.Entries.Count(e => e.MasterId == m.Id) != 1))
            {
                return false;
            }

            // Every node sees the same roles.
            first ??= topology;
            if (!SameRoles(first, topology))
            {
                return false;
            }

            if (topology.Myself is { IsMaster: false } &&
                (await node.InfoFieldAsync("replication", "master_link_status").ConfigureAwait(false) != "up" ||
                 await node.InfoFieldAsync("replication", "master_sync_in_progress").ConfigureAwait(false) != "0"))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameRoles(RedisClusterTopology a, RedisClusterTopology b) =>
        a.Entries.Select(e => (e.Id, e.IsMaster, e.MasterId)).OrderBy(e => e.Id, StringComparer.Ordinal)
            .SequenceEqual(b.Entries.Select(e => (e.Id, e.IsMaster, e.MasterId)).OrderBy(e => e.Id, StringComparer.Ordinal));

    private async Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(s_readyTimeout);
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or TimeoutException or InvalidOperationException)
            {
                // A node restarting or busy: asked again on the next round.
                last = exception;
            }

            try
            {
                await Task.Delay(s_poll, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"Timed out after {s_readyTimeout.TotalSeconds:0} s waiting for {what} ({this}). Last error: {last?.Message ?? "none"}.{Environment.NewLine}{await DescribeAsync().ConfigureAwait(false)}");
            }
        }
    }

    private async Task<string> DescribeAsync()
    {
        var lines = new List<string>();
        foreach (var node in Nodes)
        {
            try
            {
                lines.Add($"{node}: {(await node.SendAsync("CLUSTER", "NODES").ConfigureAwait(false)).Text}");
            }
            catch (Exception exception) when (exception is IOException or SocketException or TimeoutException)
            {
                lines.Add($"{node}: {exception.Message}");
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    private RedisClusterNode AnyRunning() =>
        Nodes.FirstOrDefault(n => n.IsRunning) ?? throw new InvalidOperationException("No node of the cluster runs.");

    private RedisClusterNode NodeAt(int port) =>
        Nodes.FirstOrDefault(n => n.Port == port) ?? throw new InvalidOperationException($"No node of this cluster listens on {port}.");

    private static string DescribeUnavailable()
    {
        var server = RedisAvailability.ServerBinary is null ? "redis-server was not found (THROTTLE_REDIS_SERVER_PATH or PATH)" : "redis-server is there";
        var cli = CliBinary is null ? "redis-cli was not found (next to redis-server or on PATH; Debian package redis-tools)" : "redis-cli is there";
        return $"Redis Cluster not available: {server}; {cli}.";
    }

    private static string? FindCli()
    {
        var fileName = OperatingSystem.IsWindows() ? "redis-cli.exe" : "redis-cli";
        var directories = new List<string>();
        if (RedisAvailability.ServerBinary is { } server && Path.GetDirectoryName(server) is { } serverDirectory)
        {
            directories.Add(serverDirectory);
        }

        directories.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return directories.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);
    }
}
