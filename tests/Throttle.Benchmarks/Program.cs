using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;
using Throttle.Benchmarks.Harness;
using Throttle.Benchmarks.Peers;
using Throttle.Benchmarks.SpecNotes;
using Throttle.Benchmarks.Telemetry;

namespace Throttle.Benchmarks;

public static class Program
{
    private static string? s_section;

    // dotnet run -c Release --project tests/Throttle.Benchmarks -- peers|telemetry|spec-notes|all [--rounds N] [--seconds S] [--job short|default] [--no-readme]
    // dotnet run -c Release --project tests/Throttle.Benchmarks -- --filter '*RateLimitOverhead*' [--job short]   (BenchmarkDotNet)
    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : string.Empty;
        if (command is not ("peers" or "telemetry" or "spec-notes" or "all"))
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
            return 0;
        }

        var options = CommandOptions.Parse(args);
        s_section = options.Section;
        var readme = options.WriteReadme ? ReadmeSection.FindReadme() : null;
        if (command is "peers" or "all")
        {
            Publish(readme, PeersCommand.Section, await PeersCommand.RunAsync(options).ConfigureAwait(false));
        }

        if (command is "telemetry" or "all")
        {
            Publish(readme, TelemetryCommand.Section, TelemetryCommand.Run(options));
        }

        if (command is "spec-notes" or "all")
        {
            Publish(readme, SpecNotesCommand.Section, await SpecNotesCommand.RunAsync(options).ConfigureAwait(false));
        }

        return 0;
    }

    private static void Publish(string? readme, string section, string markdown)
    {
        section = s_section ?? section;
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (readme is not null)
        {
            ReadmeSection.Write(readme, section, markdown);
            Console.WriteLine($"// Written between the {section} markers of {readme}");
        }
    }
}
