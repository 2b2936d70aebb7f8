using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;
using Throttle.Generator.Policies;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Reads <c>[DistributedSemaphore]</c>'s arguments over <see cref="DistributedSemaphoreOptions"/>' defaults and reports
/// what its shared validation finds, plus the partition key (THR402) and the advice THR401.
/// </summary>
internal static class SemaphoreParser
{
    public static SemaphoreModel? Parse(
        AttributeData attribute, IMethodSymbol method, MethodNames names, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute, nameof(DistributedSemaphoreOptions.Key), nameof(DistributedSemaphoreOptions.Value));
        var errorsBefore = diagnostics.Count;
        var options = new DistributedSemaphoreOptions
        {
            Key = arguments.Positional(0) as string ?? string.Empty,
            Value = arguments.Positional(1) as int? ?? 0,
        };
        options.AcquireTimeoutSeconds = arguments.Named(nameof(options.AcquireTimeoutSeconds), options.AcquireTimeoutSeconds);
        options.LeaseSeconds = arguments.Named(nameof(options.LeaseSeconds), options.LeaseSeconds);
        options.AcquireSleepDelaySeconds = arguments.Named(nameof(options.AcquireSleepDelaySeconds), options.AcquireSleepDelaySeconds);
        var partitionKey = arguments.Named<string>("PartitionKey", null);
        var acquireTimeout = options.AcquireTimeoutSeconds;

        OptionChecks.Report(options.Validate(), arguments, diagnostics);
        OptionChecks.NotEmpty(arguments, "PartitionKey", partitionKey, diagnostics);

        KeyPathModel? partition = null;
        if (!string.IsNullOrWhiteSpace(partitionKey))
        {
            partition = KeyPathResolver.Resolve(partitionKey!, method, compilation, out var error);
            if (partition is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PartitionKeyNotFound, arguments.NamedLocation("PartitionKey"), partitionKey!, error));
            }
        }

        if (diagnostics.Count > errorsBefore)
        {
            return null;
        }

        // Reported only on an otherwise valid attribute, so the advice does not drown the errors.
        if (double.IsPositiveInfinity(acquireTimeout))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoAcquireTimeout, arguments.AttributeLocation, method.Name));
        }

        return new SemaphoreModel(
            FieldName: "__throttleSemaphore_" + names.MemberSuffix,
            SiteId: names.SiteId,
            Key: options.Key,
            Value: options.Value,
            AcquireTimeoutSeconds: options.AcquireTimeoutSeconds,
            LeaseSeconds: options.LeaseSeconds,
            AcquireSleepDelaySeconds: options.AcquireSleepDelaySeconds,
            Partition: partition);
    }
}
