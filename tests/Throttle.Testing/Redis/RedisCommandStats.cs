using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Throttle.Testing.Redis;

/// <summary>
/// Calls per command as one server counts them (<c>INFO commandstats</c>: commands a script runs are counted too), so a
/// test can tell how many round trips or script calls an operation cost. Reset with <c>CONFIG RESETSTAT</c>.
/// </summary>
public static class RedisCommandStats
{
    /// <summary>Calls so far per command, by its lower-case name (<c>evalsha</c>, <c>zadd</c>, …).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(IServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var sections = await server.InfoAsync("commandstats");
        const string Prefix = "cmdstat_";
        return sections.SelectMany(section => section)
            .Where(pair => pair.Key.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key[Prefix.Length..], pair => ParseCalls(pair.Value));
    }

    /// <summary>Scripts the server has run (EVAL and EVALSHA calls).</summary>
    public static async Task<long> ScriptCallsAsync(IServer server)
    {
        var calls = await ReadAsync(server);
        return calls.Of("eval") + calls.Of("evalsha");
    }

    /// <summary>Calls of <paramref name="command"/>, 0 when the server has not run it.</summary>
    public static long Of(this IReadOnlyDictionary<string, long> calls, string command) =>
        calls.TryGetValue(command, out var count) ? count : 0;

    // A value reads "calls=12,usec=34,usec_per_call=2.83,…".
    private static long ParseCalls(string value)
    {
        var calls = value.Split(',')[0];
        return long.Parse(calls.AsSpan(calls.IndexOf('=') + 1), CultureInfo.InvariantCulture);
    }
}
