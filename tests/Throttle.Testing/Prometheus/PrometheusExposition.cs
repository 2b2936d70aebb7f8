using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Throttle.Testing.Prometheus;

/// <summary>Reads sample values out of a Prometheus text exposition (what a <c>/metrics</c> endpoint answers).</summary>
public static class PrometheusExposition
{
    /// <summary>
    /// The value of the one sample named <paramref name="name"/> whose labels include every pair of
    /// <paramref name="labels"/>; fails, quoting the exposition, when there is none or more than one.
    /// </summary>
    /// <param name="exposition">The text format, as scraped.</param>
    /// <param name="name">The sample's name, such as <c>http_requests_total</c>.</param>
    /// <param name="labels">Labels the sample must carry (it may carry others).</param>
    public static double Value(string exposition, string name, params (string Name, string Value)[] labels)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var matches = Samples(exposition)
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .ToList();
        if (matches.Count != 1)
        {
            var wanted = name + "{" + string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\"")) + "}";
            throw new InvalidOperationException($"The exposition has {matches.Count} samples {wanted}, not one:\n{exposition}");
        }

        return matches[0].Value;
    }

    private static IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Samples(string exposition)
    {
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var nameEnd = line.IndexOfAny(['{', ' ']);
            if (nameEnd < 0)
            {
                throw new FormatException($"Not a sample line: {line}");
            }

            var name = line[..nameEnd];
            var rest = nameEnd;
            if (line[nameEnd] == '{')
            {
                rest = ReadLabels(line, nameEnd + 1, labels);
            }

            // The value, then an optional timestamp.
            var fields = line[rest..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            yield return (name, labels, ParseValue(fields[0]));
        }
    }

    // Reads name="value" pairs (with \\, \" and \n escapes) up to the closing brace; returns the index after it.
    private static int ReadLabels(string line, int at, Dictionary<string, string> labels)
    {
        while (true)
        {
            while (line[at] is ',' or ' ')
            {
                at++;
            }

            if (line[at] == '}')
            {
                return at + 1;
            }

            var equals = line.IndexOf('=', at);
            var label = line[at..equals].Trim();
            at = equals + 1;
            if (line[at] != '"')
            {
                throw new FormatException($"Label {label} has no quoted value: {line}");
            }

            var value = new StringBuilder();
            for (at++; line[at] != '"'; at++)
            {
                if (line[at] == '\\')
                {
                    at++;
                    value.Append(line[at] == 'n' ? '\n' : line[at]);
                }
                else
                {
                    value.Append(line[at]);
                }
            }

            labels[label] = value.ToString();
            at++;
        }
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
