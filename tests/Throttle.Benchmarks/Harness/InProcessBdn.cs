using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// Runs one BenchmarkDotNet class in this process (no generated project to build: the machine is shared) with the
/// ShortRun job (3 warm-ups, 3 iterations), <c>--job medium</c> (5 warm-ups, 15 iterations), <c>--job default</c> or <c>--job dry</c> (one iteration: checks the harness, measures nothing), and hands back its rows and its GitHub table.
/// </summary>
internal static class InProcessBdn
{
    /// <summary>One benchmark's result.</summary>
    /// <param name="ErrorNs">Half the 99.9 % confidence interval of the mean (BenchmarkDotNet's "Error").</param>
    public sealed record Row(string Category, string Description, bool Baseline, double MeanNs, double ErrorNs, long? AllocatedBytes);

    public static (IReadOnlyList<Row> Rows, string Markdown) Run<T>(string artifacts, string jobName)
    {
        var job = (jobName switch { "default" => Job.Default, "dry" => Job.Dry, "medium" => Job.ShortRun.WithWarmupCount(5).WithIterationCount(15), _ => Job.ShortRun }).WithToolchain(InProcessEmitToolchain.Instance);
        var config = DefaultConfig.Instance.AddJob(job).WithArtifactsPath(artifacts);
        var summary = BenchmarkRunner.Run<T>(config);
        var rows = summary.Reports
            .Select(report => new Row(
                string.Join(", ", report.BenchmarkCase.Descriptor.Categories),
                report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                report.BenchmarkCase.Descriptor.Baseline,
                report.ResultStatistics?.Mean ?? double.NaN,
                report.ResultStatistics?.ConfidenceInterval.Margin ?? double.NaN,
                report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase)))
            .ToList();
        if (rows.Count == 0 || rows.Any(row => double.IsNaN(row.MeanNs)))
        {
            throw new InvalidOperationException($"BenchmarkDotNet did not measure every benchmark of {typeof(T).Name}; see the log above.");
        }

        var markdown = Directory.GetFiles(summary.ResultsDirectoryPath, "*-report-github.md").Select(File.ReadAllText).FirstOrDefault() ?? string.Empty;
        var table = string.Join("\n", markdown.Replace("&#39;", "'", StringComparison.Ordinal).Split('\n').Where(line => line.StartsWith('|')));
        return (rows, table);
    }

    /// <summary>The row of <paramref name="category"/> described as <paramref name="description"/>.</summary>
    public static Row Find(this IReadOnlyList<Row> rows, string category, string description) =>
        rows.SingleOrDefault(row => row.Category == category && row.Description == description)
        ?? throw new InvalidOperationException($"No benchmark '{description}' in category '{category}'.");

    /// <summary>The baseline row of <paramref name="category"/>.</summary>
    public static Row Baseline(this IReadOnlyList<Row> rows, string category) =>
        rows.Single(row => row.Category == category && row.Baseline);
}
