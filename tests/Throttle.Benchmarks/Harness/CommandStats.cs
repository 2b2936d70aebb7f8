using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// One <c>INFO commandstats</c> reading after a <c>CONFIG RESETSTAT</c>: calls and microseconds per command. Commands a
/// script runs (<c>redis.call</c>) are counted too, so <see cref="Commands"/> is every command the server executed
/// (scripts and what they called), and <see cref="ScriptCalls"/> the script invocations among them. The harness's
/// own <c>INFO</c> and <c>CONFIG</c> are left out.
/// </summary>
internal sealed class CommandStats
{
    private static readonly HashSet<string> s_scripts = ["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"];

    private CommandStats(IReadOnlyDictionary<string, (long Calls, long Micros)> byCommand) => ByCommand = byCommand;

    /// <summary>Calls and microseconds by command name (<c>get</c>, <c>evalsha</c>, <c>config|resetstat</c>, …).</summary>
    public IReadOnlyDictionary<string, (long Calls, long Micros)> ByCommand { get; }

    /// <summary>Every command executed, inner script commands included, the harness's own left out.</summary>
    public long Commands => ByCommand.Where(entry => !IsHarness(entry.Key)).Sum(entry => entry.Value.Calls);

    /// <summary>Script invocations (EVAL, EVALSHA, FCALL and their read-only forms).</summary>
    public long ScriptCalls => ByCommand.Where(entry => s_scripts.Contains(entry.Key)).Sum(entry => entry.Value.Calls);

    /// <summary>Microseconds the server spent in script invocations (each includes the commands the script ran).</summary>
    public long ScriptMicros => ByCommand.Where(entry => s_scripts.Contains(entry.Key)).Sum(entry => entry.Value.Micros);

    /// <summary>Parses the text of <c>INFO commandstats</c>.</summary>
    public static CommandStats Parse(string info)
    {
        var byCommand = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[8..colon];
            long calls = 0, micros = 0;
            foreach (var field in line[(colon + 1)..].Split(','))
            {
                var pair = field.Split('=');
                if (pair[0] == "calls")
                {
                    calls = long.Parse(pair[1], CultureInfo.InvariantCulture);
                }
                else if (pair[0] == "usec")
                {
                    micros = long.Parse(pair[1], CultureInfo.InvariantCulture);
                }
            }

            byCommand[name] = (calls, micros);
        }

        return new CommandStats(byCommand);
    }

    /// <summary>"evalsha 2.00, zadd 1.00, …" per operation, the most frequent first (for the log).</summary>
    public string Describe(long operations) => string.Join(", ", ByCommand
        .Where(entry => !IsHarness(entry.Key))
        .OrderByDescending(entry => entry.Value.Calls)
        .Select(entry => string.Create(CultureInfo.InvariantCulture, $"{entry.Key} {(double)entry.Value.Calls / Math.Max(1, operations):0.00}")));

    private static bool IsHarness(string command) =>
        command is "info" or "config" || command.StartsWith("config|", StringComparison.Ordinal);
}
