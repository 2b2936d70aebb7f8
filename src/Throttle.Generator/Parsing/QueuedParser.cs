using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;
using Throttle.Generator.Policies;

namespace Throttle.Generator.Parsing;

/// <summary>Reads <c>[Queued]</c>'s arguments over <see cref="QueuedOptions"/>' defaults and reports what its shared validation finds.</summary>
internal static class QueuedParser
{
    private static readonly string[] PerQueueOptions = { "Workers", "MaxSize" };

    public static QueuedModel? Parse(
        AttributeData attribute, IMethodSymbol method, ReturnKind? returnKind, MethodNames names, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute);
        var errorsBefore = diagnostics.Count;
        var options = new QueuedOptions();
        options.Queue = arguments.Named(nameof(options.Queue), options.Queue);
        options.Workers = arguments.Named(nameof(options.Workers), options.Workers);
        options.MaxSize = arguments.Named(nameof(options.MaxSize), options.MaxSize);
        var queue = options.Queue;
        var priority = arguments.Named("Priority", 0);
        var priorityParameter = arguments.Named<string>("PriorityParameter", null);

        if (returnKind is ReturnKind.Void or ReturnKind.Value)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.QueuedNeedsTask, arguments.AttributeLocation, method.Name, method.ReturnType.ToDisplayString(SymbolText.Short)));
        }

        OptionChecks.Report(options.Validate(), arguments, diagnostics);
        OptionChecks.NotEmpty(arguments, "PriorityParameter", priorityParameter, diagnostics);

        if (!string.IsNullOrWhiteSpace(queue))
        {
            var ignored = PerQueueOptions.Where(arguments.Has).ToList();
            if (ignored.Count > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.QueueWithQueueOptions, arguments.NamedLocation(ignored[0]), method.Name, queue!, string.Join(", ", ignored)));
            }
        }

        string? priorityFrom = null;
        if (!string.IsNullOrWhiteSpace(priorityParameter))
        {
            if (arguments.Has("Priority"))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PriorityTwice, arguments.NamedLocation("Priority"), method.Name));
            }

            var parameter = method.Parameters.FirstOrDefault(p => p.Name == priorityParameter);
            if (parameter is null || parameter.Type.SpecialType != SpecialType.System_Int32 || parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                var reason = parameter is null
                    ? (method.Parameters.Length == 0 ? "it has no parameters" : "it has " + string.Join(", ", method.Parameters.Select(p => p.Name)))
                    : $"'{parameter.Name}' is {parameter.Type.ToDisplayString(SymbolText.Short)}";
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.PriorityParameterInvalid, arguments.NamedLocation("PriorityParameter"), priorityParameter!, method.Name, reason));
            }
            else
            {
                priorityFrom = parameter.Name;
            }
        }

        if (diagnostics.Count > errorsBefore)
        {
            return null;
        }

        return new QueuedModel(
            FieldName: "__throttleQueued_" + names.MemberSuffix,
            SiteId: names.SiteId,
            QueueName: string.IsNullOrEmpty(queue) ? null : queue,
            Workers: options.Workers,
            MaxSize: options.MaxSize,
            Priority: priority,
            PriorityParameter: priorityFrom);
    }
}
