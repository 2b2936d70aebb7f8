using System;
using System.Globalization;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// Options of the harness commands (<c>peers</c>, <c>telemetry</c>, <c>spec-notes</c>, <c>all</c>):
/// <c>--rounds N</c> (interleaved rounds, default 3), <c>--seconds S</c> (length of one throughput round, default 2),
/// <c>--job short|default</c> (BenchmarkDotNet job of the in-memory rows, default short), <c>--no-readme</c> (print only).
/// </summary>
internal sealed record CommandOptions(int Rounds, TimeSpan RoundLength, bool ShortJob, bool WriteReadme)
{
    public static CommandOptions Parse(string[] args)
    {
        var options = new CommandOptions(3, TimeSpan.FromSeconds(2), ShortJob: true, WriteReadme: true);
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            options = args[i] switch
            {
                "--rounds" => options with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seconds" => options with { RoundLength = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--job" => options with { ShortJob = Value() != "default" },
                "--no-readme" => options with { WriteReadme = false },
                _ => throw new ArgumentException($"Unknown option {args[i]} (known: --rounds N, --seconds S, --job short|default, --no-readme).", nameof(args)),
            };
        }

        if (options.Rounds < 1 || options.RoundLength <= TimeSpan.Zero)
        {
            throw new ArgumentException("--rounds must be at least 1 and --seconds positive.", nameof(args));
        }

        return options;
    }
}
