using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Throttle.Testing.Redis;

/// <summary>One node's view of the cluster: its <c>CLUSTER NODES</c> reply, parsed.</summary>
internal sealed class RedisClusterTopology
{
    private RedisClusterTopology(IReadOnlyList<Entry> entries) => Entries = entries;

    /// <summary>Every node the answering node knows.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>The answering node.</summary>
    public Entry? Myself => Entries.FirstOrDefault(e => e.IsMyself);

    /// <summary>The masters that serve slots and are not flagged failed.</summary>
    public IEnumerable<Entry> LiveMasters => Entries.Where(e => e.IsMaster && !e.IsFailed && e.Slots.Count > 0);

    /// <summary>
    /// Parses <c>&lt;id&gt; &lt;ip:port@cport[,hostname]&gt; &lt;flags&gt; &lt;master&gt; &lt;ping-sent&gt; &lt;pong-recv&gt;
    /// &lt;config-epoch&gt; &lt;link-state&gt; &lt;slot&gt;...</c> lines.
    /// </summary>
    public static RedisClusterTopology Parse(string clusterNodes)
    {
        var entries = new List<Entry>();
        foreach (var line in clusterNodes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ');
            var address = fields[1].Split('@')[0];
            var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var flags = fields[2].Split(',');
            var slots = new List<(int From, int To)>();
            foreach (var slot in fields.Skip(8))
            {
                if (slot.StartsWith('['))
                {
                    continue; // a slot being migrated or imported
                }

                var dash = slot.IndexOf('-', StringComparison.Ordinal);
                slots.Add(dash < 0
                    ? (int.Parse(slot, CultureInfo.InvariantCulture), int.Parse(slot, CultureInfo.InvariantCulture))
                    : (int.Parse(slot[..dash], CultureInfo.InvariantCulture), int.Parse(slot[(dash + 1)..], CultureInfo.InvariantCulture)));
            }

            entries.Add(new Entry(
                fields[0],
                port,
                flags.Contains("myself"),
                flags.Contains("master"),
                flags.Contains("fail") || flags.Contains("fail?") || flags.Contains("noaddr"),
                fields[3] == "-" ? null : fields[3],
                fields[7] == "connected",
                slots));
        }

        return new RedisClusterTopology(entries);
    }

    /// <summary>The live master serving <paramref name="slot"/>, if any.</summary>
    public Entry? MasterOf(int slot) => LiveMasters.FirstOrDefault(m => m.Slots.Any(r => slot >= r.From && slot <= r.To));

    /// <summary>One line of <c>CLUSTER NODES</c>.</summary>
    public sealed record Entry(string Id, int Port, bool IsMyself, bool IsMaster, bool IsFailed, string? MasterId, bool IsLinked, IReadOnlyList<(int From, int To)> Slots)
    {
        /// <summary>How many slots the node serves.</summary>
        public int SlotCount => Slots.Sum(r => r.To - r.From + 1);
    }
}
