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
        AttributeData attribute, IMethodSymbol method, ReturnKind? returnKind, MethodNames names, Compilation compilation, List<DiagnosticInfo> diagnostics)
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
        var delayParameter = arguments.Named<string>("DelayParameter", null);
        var dedupeKey = arguments.Named<string>("DedupeKey", null);

        if (returnKind is ReturnKind.Void or ReturnKind.Value)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.QueuedNeedsTask, arguments.AttributeLocation, method.Name, method.ReturnType.ToDisplayString(SymbolText.Short)));
        }

        OptionChecks.Report(options.Validate(), arguments, diagnostics);
        OptionChecks.NotEmpty(arguments, "PriorityParameter", priorityParameter, diagnostics);
        OptionChecks.NotEmpty(arguments, "DelayParameter", delayParameter, diagnostics);
        OptionChecks.NotEmpty(arguments, "DedupeKey", dedupeKey, diagnostics);
        var kind = KindOf(arguments, method, diagnostics);

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

        string? delayFrom = null;
        if (!string.IsNullOrWhiteSpace(delayParameter))
        {
            var parameter = method.Parameters.FirstOrDefault(p => p.Name == delayParameter);
            if (parameter is null || parameter.Type.ToDisplayString() != "System.TimeSpan" || parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                var reason = parameter is null
                    ? (method.Parameters.Length == 0 ? "it has no parameters" : "it has " + string.Join(", ", method.Parameters.Select(p => p.Name)))
                    : $"'{parameter.Name}' is {parameter.Type.ToDisplayString(SymbolText.Short)}";
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DelayParameterInvalid, arguments.NamedLocation("DelayParameter"), delayParameter!, method.Name, reason));
            }
            else
            {
                delayFrom = parameter.Name;
            }
        }

        KeyPathModel? dedupeFrom = null;
        if (!string.IsNullOrWhiteSpace(dedupeKey))
        {
            dedupeFrom = KeyPathResolver.Resolve(dedupeKey!, method, compilation, out var error);
            if (dedupeFrom is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DedupeKeyNotFound, arguments.NamedLocation("DedupeKey"), dedupeKey!, error));
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
            PriorityParameter: priorityFrom,
            Kind: (int)kind,
            DelayParameter: delayFrom,
            DedupeKey: dedupeFrom);
    }

    /// <summary>What each call gives its queue; more than one of a priority, a delay and a dedupe key is THR207.</summary>
    private static QueueKind KindOf(AttributeArguments arguments, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
    {
        var given = new List<(QueueKind Kind, string Option, string Text)>();
        if (arguments.Has("Priority") || arguments.Has("PriorityParameter"))
        {
            given.Add((QueueKind.Priority, arguments.Has("PriorityParameter") ? "PriorityParameter" : "Priority", "a priority"));
        }

        if (arguments.Has("DelayParameter"))
        {
            given.Add((QueueKind.Delayed, "DelayParameter", "a delay"));
        }

        if (arguments.Has("DedupeKey"))
        {
            given.Add((QueueKind.Deduplicating, "DedupeKey", "a dedupe key"));
        }

        if (given.Count > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.QueueKindConflict,
                arguments.NamedLocation(given[1].Option),
                method.Name,
                string.Join(" and ", given.Select(g => g.Text + " (" + g.Option + ")"))));
        }

        return given.Count == 0 ? QueueKind.Fifo : given[0].Kind;
    }
}
