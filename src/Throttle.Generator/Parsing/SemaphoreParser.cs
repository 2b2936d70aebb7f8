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
        if (arguments.Named<string>("Semaphore", null) is not null)
        {
            return ParseRegistered(arguments, method, names, diagnostics);
        }

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

    // [DistributedSemaphore(Semaphore = "name")]: the registration owns value, lease and polling delay; only the wait is the method's.
    private static SemaphoreModel? ParseRegistered(AttributeArguments arguments, IMethodSymbol method, MethodNames names, List<DiagnosticInfo> diagnostics)
    {
        var errorsBefore = diagnostics.Count;
        var name = arguments.Named<string>("Semaphore", null);
        OptionChecks.NotEmpty(arguments, "Semaphore", name, diagnostics);
        var options = new DistributedSemaphoreOptions
        {
            Key = string.IsNullOrWhiteSpace(name) ? "unset" : name!,
            Value = DistributedSemaphoreOptions.MinValue,
        };
        options.AcquireTimeoutSeconds = arguments.Named(nameof(options.AcquireTimeoutSeconds), options.AcquireTimeoutSeconds);
        OptionChecks.Report(options.Validate(), arguments, diagnostics);

        var ignored = new List<string>();
        if (arguments.Positional(0) is not null)
        {
            ignored.Add("Key, Value");
        }

        foreach (var option in new[] { nameof(options.LeaseSeconds), nameof(options.AcquireSleepDelaySeconds), "PartitionKey" })
        {
            if (arguments.Has(option))
            {
                ignored.Add(option);
            }
        }

        if (ignored.Count > 0 && !string.IsNullOrWhiteSpace(name))
        {
            var location = arguments.Positional(0) is not null ? arguments.PositionalLocation(0) : arguments.NamedLocation(ignored[0]);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SemaphoreWithRegisteredOptions, location, method.Name, name!, string.Join(", ", ignored)));
        }

        if (diagnostics.Count > errorsBefore)
        {
            return null;
        }

        if (double.IsPositiveInfinity(options.AcquireTimeoutSeconds))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoAcquireTimeout, arguments.AttributeLocation, method.Name));
        }

        return new SemaphoreModel(
            FieldName: "__throttleSemaphore_" + names.MemberSuffix,
            SiteId: names.SiteId,
            Key: name!,
            Value: 0,
            AcquireTimeoutSeconds: options.AcquireTimeoutSeconds,
            LeaseSeconds: 0,
            AcquireSleepDelaySeconds: 0,
            Partition: null,
            SemaphoreName: name);
    }
}
