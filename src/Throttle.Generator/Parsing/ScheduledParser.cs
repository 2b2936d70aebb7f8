using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;
using Throttle.Generator.Policies;

namespace Throttle.Generator.Parsing;

/// <summary>Turns a <c>[Scheduled]</c> method into a <see cref="ScheduledMethodResult"/>: its shape, its type, its options.</summary>
internal static class ScheduledParser
{
    public const string AttributeName = "Throttle.ScheduledAttribute";

    public static ScheduledMethodResult? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax declaration
            || method.ContainingType is not { } type || context.Attributes.Length == 0)
        {
            return null;
        }

        if (method.ReturnType.TypeKind == TypeKind.Error || method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error))
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var diagnostics = new List<DiagnosticInfo>();
        var at = LocationInfo.From(declaration.Identifier);
        var display = type.Name + "." + method.Name;

        var returns = ReturnOf(method, context.SemanticModel.Compilation);
        if (returns is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(ScheduledDiagnostics.UnsupportedReturnType, LocationInfo.From(declaration.ReturnType), display,
                method.IsAsync && method.ReturnsVoid ? "async void" : method.ReturnType.ToDisplayString()));
        }

        var token = context.SemanticModel.Compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        var problem = ParameterProblem(method, token);
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(ScheduledDiagnostics.UnsupportedParameters, LocationInfo.From(declaration.ParameterList), display, problem));
        }

        var typeProblem = TypeProblem(declaration, type, method.IsStatic);
        if (typeProblem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(ScheduledDiagnostics.TypeNotRegistrable, at, display, type.ToDisplayString(), typeProblem));
        }

        var arguments = new AttributeArguments(context.Attributes[0]);
        double? Part(string name) => arguments.Has(name) ? arguments.Named<double>(name, 0) : null;
        var options = new ScheduledOptions
        {
            Name = arguments.Named<string>("Name", null),
            Seconds = Part("Seconds"),
            Minutes = Part("Minutes"),
            Hours = Part("Hours"),
            Cron = arguments.Named<string>("Cron", null),
            OnlyOnLeader = arguments.Named("OnlyOnLeader", false),
            Leadership = arguments.Named<string>("Leadership", null),
        };
        foreach (var found in options.Validate())
        {
            var location = found.DiagnosticId == ScheduledOptions.ScheduleId && !arguments.Has(found.Option)
                ? arguments.AttributeLocation
                : arguments.OptionLocation(found.Option);
            diagnostics.Add(DiagnosticInfo.Create(Descriptor(found.DiagnosticId), location, found.Message));
        }

        var typeKey = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var typeModel = new ScheduledTypeModel(typeKey, HintName(type), type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(), new EquatableArray<string>(Declarations(declaration)));
        var job = diagnostics.Count > 0 || returns is null
            ? null
            : new ScheduledJobModel(
                typeKey,
                method.Name,
                options.Name ?? display,
                method.IsStatic,
                returns.Value,
                method.Parameters.Length == 1,
                options.Seconds,
                options.Minutes,
                options.Hours,
                options.Cron,
                options.OnlyOnLeader,
                options.Leadership,
                arguments.Has("Name") ? arguments.NamedLocation("Name") : arguments.AttributeLocation);
        return new ScheduledMethodResult(job, typeModel, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    private static DiagnosticDescriptor Descriptor(string id) => id switch
    {
        ScheduledOptions.ScheduleId => ScheduledDiagnostics.NoSchedule,
        ScheduledOptions.IntervalId => ScheduledDiagnostics.IntervalOutOfRange,
        ScheduledOptions.LeadershipWithoutLeaderId => ScheduledDiagnostics.LeadershipWithoutLeader,
        OptionRules.EmptyNameId => DiagnosticDescriptors.EmptyName,
        _ => DiagnosticDescriptors.OptionOutOfRange,
    };

    private static ScheduledReturn? ReturnOf(IMethodSymbol method, Compilation compilation)
    {
        if (method.ReturnsVoid)
        {
            return method.IsAsync ? null : ScheduledReturn.Void;
        }

        var returnType = method.ReturnType;
        if (SymbolEqualityComparer.Default.Equals(returnType, compilation.GetTypeByMetadataName("System.Threading.Tasks.Task")))
        {
            return ScheduledReturn.Task;
        }

        return SymbolEqualityComparer.Default.Equals(returnType, compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask"))
            ? ScheduledReturn.ValueTask
            : null;
    }

    private static string? ParameterProblem(IMethodSymbol method, INamedTypeSymbol? token)
    {
        if (method.IsGenericMethod)
        {
            return "is generic";
        }

        if (method.Parameters.Length > 1)
        {
            return "takes " + method.Parameters.Length + " parameters";
        }

        if (method.Parameters.Length == 1)
        {
            var parameter = method.Parameters[0];
            if (!SymbolEqualityComparer.Default.Equals(parameter.Type, token) || parameter.RefKind != RefKind.None)
            {
                return "takes '" + parameter.ToDisplayString() + "'";
            }
        }

        return null;
    }

    private static string? TypeProblem(MethodDeclarationSyntax declaration, INamedTypeSymbol type, bool isStatic)
    {
        if (declaration.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)))
        {
            return "is not partial (nor is every type containing it)";
        }

        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsGenericType)
            {
                return "is generic";
            }

            if (isStatic && current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return "is not reachable from its assembly (private or protected), so a module initializer cannot register its static jobs";
            }
        }

        return !isStatic && type.TypeKind != TypeKind.Class ? "is not a class (instance jobs run on an instance a host creates)" : null;
    }

    private static IEnumerable<string> Declarations(MethodDeclarationSyntax declaration) =>
        declaration.Ancestors().OfType<TypeDeclarationSyntax>().Reverse().Select(t => t switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "partial record struct " + t.Identifier.ValueText,
            RecordDeclarationSyntax => "partial record " + t.Identifier.ValueText,
            StructDeclarationSyntax => "partial struct " + t.Identifier.ValueText,
            InterfaceDeclarationSyntax => "partial interface " + t.Identifier.ValueText,
            _ => "partial class " + t.Identifier.ValueText,
        });

    private static string HintName(INamedTypeSymbol type) =>
        type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty).Replace('<', '[').Replace('>', ']') + ".Scheduled.Throttle.g.cs";
}
