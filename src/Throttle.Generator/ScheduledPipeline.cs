using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Emitting;
using Throttle.Generator.Model;
using Throttle.Generator.Parsing;

namespace Throttle.Generator;

/// <summary>
/// The <c>[Scheduled]</c> part of the generator: one transform per method, then one file per type (its jobs collected)
/// and one check across the compilation for job names used twice (THR505).
/// </summary>
internal static class ScheduledPipeline
{
    public const string TransformStep = "Throttle.Transform.Scheduled";
    public const string FilesStep = "Throttle.Scheduled.Files";

    public static void Register(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ScheduledParser.AttributeName,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => ScheduledParser.Parse(syntaxContext, cancellationToken))
            .Where(static result => result is not null)
            .WithTrackingName(TransformStep);

        var diagnostics = results.Select(static (result, _) => result!.Diagnostics).Where(static found => found.Length > 0);
        context.RegisterSourceOutput(diagnostics, static (output, found) => Report(output, found));

        var all = results.Collect();
        var files = all
            .SelectMany(static (found, _) => found
                .Where(r => r!.Job is not null)
                .GroupBy(r => r!.Type)
                .Select(group => new ScheduledFileModel(group.Key, new EquatableArray<ScheduledJobModel>(group.Select(r => r!.Job!))))
                .ToImmutableArray())
            .WithTrackingName(FilesStep);
        context.RegisterSourceOutput(files, static (output, file) => output.AddSource(file.Type.HintName, ScheduledEmitter.Emit(file)));

        var duplicates = all.Select(static (found, _) => Duplicates(found));
        context.RegisterSourceOutput(duplicates, static (output, found) => Report(output, found));
    }

    private static EquatableArray<DiagnosticInfo> Duplicates(ImmutableArray<ScheduledMethodResult?> found)
    {
        var first = new Dictionary<string, ScheduledJobModel>(System.StringComparer.Ordinal);
        var diagnostics = new List<DiagnosticInfo>();
        foreach (var job in found.Select(r => r!.Job).Where(j => j is not null))
        {
            if (first.TryGetValue(job!.JobName, out var earlier))
            {
                diagnostics.Add(DiagnosticInfo.Create(ScheduledDiagnostics.DuplicateName, job.Location, job.JobName, Display(earlier)));
            }
            else
            {
                first.Add(job.JobName, job);
            }
        }

        return new EquatableArray<DiagnosticInfo>(diagnostics);
    }

    private static string Display(ScheduledJobModel job) => job.TypeKey.Replace("global::", string.Empty) + "." + job.MethodName;

    private static void Report(SourceProductionContext output, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            output.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
