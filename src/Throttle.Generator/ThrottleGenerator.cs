using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Emitting;
using Throttle.Generator.Model;
using Throttle.Generator.Parsing;

namespace Throttle.Generator;

/// <summary>
/// Implements partial methods annotated with Throttle attributes. One pipeline per attribute finds the methods
/// (<c>ForAttributeWithMetadataName</c>); the transform turns each into an equatable <see cref="MethodResult"/>. From
/// there the pipeline splits: the model alone feeds the output that formats text, so a change in a diagnostic never
/// re-emits a file; the diagnostics feed an output that only reports them; the claims on shared names of every method
/// are collected into one check that reports settings that disagree (and feeds no source output); the named resources
/// every model uses are collected into the compilation's one module initializer (<see cref="ManifestWriter"/>).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ThrottleGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of each attribute's transform step, for incrementality tests.</summary>
    public const string TransformStepPrefix = "Throttle.Transform.";

    /// <summary>Tracking name of each attribute's model step (what the source output sees).</summary>
    public const string ModelStepPrefix = "Throttle.Model.";

    /// <summary>Tracking name of the step that collects every method's claims on shared names.</summary>
    public const string SharedNamesStep = "Throttle.SharedNames";

    /// <summary>Tracking name of the step that collects every method's named resources for the module initializer.</summary>
    public const string ManifestStep = "Throttle.Manifest";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var claimsPerAttribute = new List<IncrementalValueProvider<ImmutableArray<SharedNameClaim>>>();
        var manifestPerAttribute = new List<IncrementalValueProvider<ImmutableArray<ManifestEntry>>>();
        foreach (var attribute in ThrottleAttributes.InWrappingOrder)
        {
            var results = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                    transform: (syntaxContext, cancellationToken) => MethodParser.Parse(syntaxContext, attribute, cancellationToken))
                .Where(static result => result is not null)
                .WithTrackingName(TransformStepPrefix + attribute);

            var models = results
                .Select(static (result, _) => result!.Model)
                .Where(static model => model is not null)
                .WithTrackingName(ModelStepPrefix + attribute);
            context.RegisterSourceOutput(models, static (output, model) => output.AddSource(model!.HintName, Emitter.Emit(model)));
            manifestPerAttribute.Add(models.SelectMany(static (model, _) => ManifestWriter.Entries(model!)).Collect());

            var diagnostics = results
                .Select(static (result, _) => result!.Diagnostics)
                .Where(static found => found.Length > 0);
            context.RegisterSourceOutput(diagnostics, static (output, found) => Report(output, found));

            claimsPerAttribute.Add(results.SelectMany(static (result, _) => result!.SharedNames.Items).Collect());
        }

        var conflicts = Concat(claimsPerAttribute)
            .Select(static (all, _) => new EquatableArray<SharedNameClaim>(all))
            .WithTrackingName(SharedNamesStep)
            .Select(static (all, _) => SharedNameConflicts.Find(all));
        context.RegisterSourceOutput(conflicts, static (output, found) => Report(output, found));

        var canInitializeModule = context.CompilationProvider.Select(static (compilation, _) => ManifestWriter.CanInitializeModule(compilation));
        var manifest = Concat(manifestPerAttribute)
            .Select(static (all, _) => new EquatableArray<ManifestEntry>(all))
            .WithTrackingName(ManifestStep)
            .Combine(canInitializeModule);
        context.RegisterSourceOutput(manifest, static (output, pair) =>
        {
            if (pair.Right && pair.Left.Length > 0)
            {
                output.AddSource(ManifestWriter.HintName, ManifestWriter.Emit(pair.Left));
            }
        });
        ScheduledPipeline.Register(context);
    }

    private static IncrementalValueProvider<ImmutableArray<T>> Concat<T>(List<IncrementalValueProvider<ImmutableArray<T>>> parts)
    {
        var all = parts[0];
        foreach (var next in parts.Skip(1))
        {
            all = all.Combine(next).Select(static (pair, _) => pair.Left.AddRange(pair.Right));
        }

        return all;
    }

    private static void Report(SourceProductionContext output, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            output.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
