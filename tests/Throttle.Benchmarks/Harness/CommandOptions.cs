using System;
using System.Globalization;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// Options of the harness commands (<c>peers</c>, <c>telemetry</c>, <c>spec-notes</c>, <c>all</c>):
/// <c>--rounds N</c> (interleaved rounds, default 3), <c>--seconds S</c> (length of one throughput round, default 2),
/// <c>--job short|medium|default|dry</c> (BenchmarkDotNet job of the in-memory rows, default short; medium: 5 warm-ups and 15 iterations; dry only checks the harness), <c>--no-readme</c> (print only),
/// <c>--section NAME</c> (write between the markers NAME instead of the command's own, e.g. to keep a "before" table),
/// <c>--skip-memory</c> / <c>--skip-redis</c> (leave those rows out: for checking the harness; the README is then not written),
/// <c>--rows TEXT</c> (only the Redis rows whose title contains TEXT, e.g. <c>semaphore</c>; the README is then not written).
/// </summary>
internal sealed record CommandOptions(int Rounds, TimeSpan RoundLength, string Job, bool WriteReadme, bool Memory = true, bool Redis = true, string? Section = null, string? Rows = null)
{
    public static CommandOptions Parse(string[] args)
    {
        var options = new CommandOptions(3, TimeSpan.FromSeconds(2), Job: "short", WriteReadme: true);
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            options = args[i] switch
            {
                "--rounds" => options with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seconds" => options with { RoundLength = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--job" => options with { Job = Value() is "short" or "medium" or "default" or "dry" ? args[i] : throw new ArgumentException("--job is short, medium, default or dry.", nameof(args)) },
                "--no-readme" => options with { WriteReadme = false },
                "--section" => options with { Section = Value() },
                "--skip-memory" => options with { Memory = false, WriteReadme = false },
                "--skip-redis" => options with { Redis = false, WriteReadme = false },
                "--rows" => options with { Rows = Value(), WriteReadme = false },
                _ => throw new ArgumentException($"Unknown option {args[i]} (known: --rounds N, --seconds S, --job short|medium|default|dry, --no-readme, --section NAME, --skip-memory, --skip-redis, --rows TEXT).", nameof(args)),
            };
        }

        if (options.Rounds < 1 || options.RoundLength <= TimeSpan.Zero)
        {
            throw new ArgumentException("--rounds must be at least 1 and --seconds positive.", nameof(args));
        }

        return options;
    }
}
