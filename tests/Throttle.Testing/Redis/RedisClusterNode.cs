using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing.Redis;

/// <summary>
/// One <c>redis-server</c> of a <see cref="RedisCluster"/>: a child process on a loopback port with its cluster bus on
/// <see cref="BusPort"/>, in a directory of its own that keeps its <c>nodes.conf</c> across a kill and a restart (the
/// data is not persisted: a restarted node comes back empty and resyncs from its master).
/// </summary>
public sealed class RedisClusterNode
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(5);

    internal RedisClusterNode(RedisProcessHost host, int busPort)
    {
        Host = host;
        BusPort = busPort;
    }

    /// <summary>The client port.</summary>
    public int Port => Host.Port;

    /// <summary>The cluster bus port (<c>cluster-port</c>).</summary>
    public int BusPort { get; }

    /// <summary>127.0.0.1:<see cref="Port"/>.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the process runs.</summary>
    public bool IsRunning => Host.IsRunning;

    internal RedisProcessHost Host { get; }

    /// <summary>Sends one command to this node alone (see <see cref="RespReply.SendAsync"/>).</summary>
    /// <param name="command">The command and its arguments.</param>
    public Task<RespReply> SendAsync(params string[] command) => RespReply.SendAsync(Port, s_commandTimeout, CancellationToken.None, command);

    /// <summary>One field of <c>INFO</c> (<paramref name="section"/>), such as <c>role</c>; <see langword="null"/> when absent.</summary>
    /// <param name="section">The INFO section.</param>
    /// <param name="field">The field's name.</param>
    public async Task<string?> InfoFieldAsync(string section, string field)
    {
        var info = (await SendAsync("INFO", section).ConfigureAwait(false)).ExpectText();
        foreach (var line in info.Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..];
            }
        }

        return null;
    }

    /// <summary>The number of keys this node holds (<c>DBSIZE</c>).</summary>
    public async Task<long> DbSizeAsync() => (await SendAsync("DBSIZE").ConfigureAwait(false)).ExpectNumber();

    /// <summary>The number of keys this node holds that start with <paramref name="prefix"/> (<c>SCAN MATCH</c>).</summary>
    /// <param name="prefix">The keys' prefix (glob characters in it are escaped).</param>
    public async Task<long> CountKeysAsync(string prefix)
    {
        var pattern = Escape(prefix) + "*";
        long count = 0;
        var cursor = "0";
        do
        {
            var reply = await SendAsync("SCAN", cursor, "MATCH", pattern, "COUNT", "1000").ConfigureAwait(false);
            if (reply.Items is not { Count: 2 } items || items[1].Items is not { } keys)
            {
                throw new InvalidOperationException($"{Endpoint} answered SCAN with {reply}.");
            }

            cursor = items[0].ExpectText();
            count += keys.Count;
        }
        while (cursor != "0");

        return count;
    }

    internal async Task<RedisClusterTopology> TopologyAsync() =>
        RedisClusterTopology.Parse((await SendAsync("CLUSTER", "NODES").ConfigureAwait(false)).ExpectText());

    /// <inheritdoc/>
    public override string ToString() => Endpoint;

    private static string Escape(string prefix)
    {
        var escaped = new System.Text.StringBuilder(prefix.Length);
        foreach (var c in prefix)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
