using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>Reads and checks <c>[DistributedSemaphore]</c>'s arguments.</summary>
internal static class SemaphoreParser
{
    /// <summary>The shortest lease the runtime accepts (DistributedSemaphoreSite checks the same bound).</summary>
    private const double MinimumLeaseSeconds = 0.03;

    public static SemaphoreModel? Parse(
        AttributeData attribute, IMethodSymbol method, MethodNames names, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute);
        var errorsBefore = diagnostics.Count;
        var key = arguments.Positional(0) as string;
        var value = arguments.Positional(1) as int? ?? 0;
        var partitionKey = arguments.Named<string>("PartitionKey", null);
        var acquireTimeout = arguments.Named("AcquireTimeoutSeconds", double.PositiveInfinity);
        var lease = arguments.Named("LeaseSeconds", 30.0);
        var sleepDelay = arguments.Named("AcquireSleepDelaySeconds", 0.1);

        if (string.IsNullOrWhiteSpace(key))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmptyName, arguments.PositionalLocation(0), "The semaphore key"));
        }

        if (value < 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.OptionOutOfRange, arguments.PositionalLocation(1), "The semaphore value", "at least 1", value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        OptionChecks.PositiveOrInfinite(arguments, "AcquireTimeoutSeconds", acquireTimeout, diagnostics);
        // The holder renews its lease every third of it; below 30 ms the renewals could not keep up.
        OptionChecks.AtLeastFinite(arguments, "LeaseSeconds", lease, MinimumLeaseSeconds, diagnostics);
        OptionChecks.PositiveFinite(arguments, "AcquireSleepDelaySeconds", sleepDelay, diagnostics);
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
            Key: key!,
            Value: value,
            AcquireTimeoutSeconds: acquireTimeout,
            LeaseSeconds: lease,
            AcquireSleepDelaySeconds: sleepDelay,
            Partition: partition);
    }
}
