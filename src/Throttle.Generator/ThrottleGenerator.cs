using Microsoft.CodeAnalysis;
using Throttle.Generator.Emitting;
using Throttle.Generator.Model;
using Throttle.Generator.Parsing;

namespace Throttle.Generator;

/// <summary>
/// Implements partial methods annotated with Throttle attributes. One pipeline per attribute finds the methods
/// (<c>ForAttributeWithMetadataName</c>); the transform turns each into an equatable <see cref="MethodResult"/>; the
/// output step only reports diagnostics and formats text.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ThrottleGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of each attribute's transform step, for incrementality tests.</summary>
    public const string TransformStepPrefix = "Throttle.Transform.";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        foreach (var attribute in ThrottleAttributes.InWrappingOrder)
        {
            var results = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                    transform: (syntaxContext, cancellationToken) => MethodParser.Parse(syntaxContext, attribute, cancellationToken))
                .Where(static result => result is not null)
                .WithTrackingName(TransformStepPrefix + attribute);

            context.RegisterSourceOutput(results, static (output, result) => Produce(output, result!));
        }
    }

    private static void Produce(SourceProductionContext output, MethodResult result)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            output.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Model is { } model)
        {
            output.AddSource(model.HintName, Emitter.Emit(model));
        }
    }
}
