using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;
using Throttle.Generator.Policies;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Reads <c>[RateLimit]</c>'s arguments over <see cref="RateLimitOptions"/>' defaults and reports what its shared
/// validation finds, plus the checks only an attribute can fail (a rate and a limiter, THR104/THR105; the key, THR103; the key method, THR111-THR115).
/// </summary>
internal static class RateLimitParser
{
    public static RateLimitModel? Parse(
        AttributeData attribute, IMethodSymbol method, MethodNames names, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute, nameof(RateLimitOptions.Rate));
        var errorsBefore = diagnostics.Count;

        var hasRate = arguments.PositionalCount == 1;
        var options = new RateLimitOptions();
        if (hasRate)
        {
            options.Rate = arguments.Positional(0) as double? ?? double.NaN;
        }

        options.Per = arguments.Named(nameof(options.Per), options.Per);
        options.Burst = arguments.Named(nameof(options.Burst), options.Burst);
        options.Strategy = (RateLimitStrategy)arguments.Named(nameof(options.Strategy), (int)options.Strategy);
        options.Scope = arguments.Named(nameof(options.Scope), options.Scope);
        options.Limiter = arguments.Named(nameof(options.Limiter), options.Limiter);
        options.MaxWaitSeconds = arguments.Named(nameof(options.MaxWaitSeconds), options.MaxWaitSeconds);
        options.Storage = arguments.Named(nameof(options.Storage), options.Storage);
        var key = arguments.Named<string>("Key", null);
        var keyMethod = arguments.Named<string>("KeyMethod", null);
        var limiter = options.Limiter;

        var problems = options.Validate();
        if (!string.IsNullOrEmpty(limiter))
        {
            var ignored = new List<string>();
            if (hasRate)
            {
                ignored.Add("the rate");
            }

            foreach (var option in new[] { "Per", "Burst", "Strategy", "Storage" })
            {
                if (arguments.Has(option))
                {
                    ignored.Add(option);
                }
            }

            if (ignored.Count > 0)
            {
                var location = hasRate ? arguments.PositionalLocation(0) : arguments.NamedLocation(ignored[0]);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LimiterWithRateOptions, location, method.Name, limiter!, string.Join(", ", ignored)));
            }
        }
        else if (!hasRate)
        {
            // THR104 says what is missing; the unset rate's own range problem would only repeat it.
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RateOrLimiterRequired, arguments.AttributeLocation, method.Name));
            problems = problems.Where(p => p.Option != nameof(RateLimitOptions.Rate)).ToList();
        }

        OptionChecks.Report(problems, arguments, diagnostics);
        OptionChecks.NotEmpty(arguments, "KeyMethod", keyMethod, diagnostics);

        // Without a Key, every call of the method shares one bucket; methods naming one limiter share its bucket.
        KeyPathModel? keyPath = null;
        KeyMethodModel? keyFrom = null;
        if (key is not null && keyMethod is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KeyTwice, arguments.NamedLocation("KeyMethod"), method.Name));
        }
        else if (!string.IsNullOrWhiteSpace(keyMethod))
        {
            keyFrom = KeyMethodResolver.Resolve(keyMethod!, method, compilation, arguments.NamedLocation("KeyMethod"), diagnostics);
        }
        else if (key is not null)
        {
            keyPath = KeyPathResolver.Resolve(key, method, compilation, out var error);
            if (keyPath is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KeyNotFound, arguments.NamedLocation("Key"), key, error));
            }
        }

        if (diagnostics.Count > errorsBefore)
        {
            return null;
        }

        return new RateLimitModel(
            FieldName: "__throttleRateLimit_" + names.MemberSuffix,
            SiteId: names.SiteId,
            Rate: options.Rate,
            Per: options.Per,
            Burst: options.Burst,
            Strategy: (int)options.Strategy,
            Scope: options.Scope,
            LimiterName: string.IsNullOrEmpty(limiter) ? null : limiter,
            MaxWaitSeconds: options.MaxWaitSeconds,
            Key: keyPath,
            KeyMethod: keyFrom,
            StorageName: options.Storage,
            DefaultKey: keyPath is not null || keyFrom is not null ? null : string.IsNullOrEmpty(limiter) ? names.DefaultKey : limiter);
    }
}
