using System.IO;

namespace Throttle.Benchmarks.Harness;

/// <summary>The machine's load average (Linux <c>/proc/loadavg</c>), printed beside every figure: the machine is shared.</summary>
internal static class LoadAverage
{
    /// <summary>"1.23 0.98 0.75" (1, 5 and 15 minutes), or "n/a" where the file does not exist.</summary>
    public static string Read()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return "n/a";
        }

        var fields = File.ReadAllText(path).Split(' ');
        return fields.Length >= 3 ? $"{fields[0]} {fields[1]} {fields[2]}" : "n/a";
    }
}
