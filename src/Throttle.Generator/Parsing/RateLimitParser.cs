using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>Reads and checks <c>[RateLimit]</c>'s arguments.</summary>
internal static class RateLimitParser
{
    // RateLimitStrategy's values; the generator cannot reference the attributes assembly.
    private const int TokenBucketStrategy = 0;
    private const int SlidingWindowStrategy = 1;
    private const int LeakyBucketStrategy = 2;

    public static RateLimitModel? Parse(
        AttributeData attribute, IMethodSymbol method, MethodNames names, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(attribute);
        var errorsBefore = diagnostics.Count;

        var hasRate = arguments.PositionalCount == 1;
        var rate = hasRate ? arguments.Positional(0) as double? ?? double.NaN : double.NaN;
        var per = arguments.Named("Per", 1.0);
        var burst = arguments.Named("Burst", 0.0);
        var strategy = arguments.Named("Strategy", TokenBucketStrategy);
        var scope = arguments.Named<string>("Scope", null);
        var key = arguments.Named<string>("Key", null);
        var limiter = arguments.Named<string>("Limiter", null);
        var maxWait = arguments.Named("MaxWaitSeconds", double.PositiveInfinity);

        OptionChecks.NotEmpty(arguments, "Scope", scope, diagnostics);
        OptionChecks.NotEmpty(arguments, "Limiter", limiter, diagnostics);

        if (!string.IsNullOrEmpty(limiter))
        {
            var ignored = new List<string>();
            if (hasRate)
            {
                ignored.Add("the rate");
            }

            foreach (var option in new[] { "Per", "Burst", "Strategy" })
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
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RateOrLimiterRequired, arguments.AttributeLocation, method.Name));
        }
        else
        {
            var rateValid = CheckPositiveFinite("Rate", rate, arguments.PositionalLocation(0), diagnostics);
            CheckPositiveFinite("Per", per, arguments.NamedLocation("Per"), diagnostics);
            var burstValid = !arguments.Has("Burst") || CheckPositiveFinite("Burst", burst, arguments.NamedLocation("Burst"), diagnostics);
            var capacity = arguments.Has("Burst") ? burst : rate;
            if (rateValid && burstValid && capacity < 1)
            {
                var location = arguments.Has("Burst") ? arguments.NamedLocation("Burst") : arguments.PositionalLocation(0);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BurstBelowOneCall, location, SymbolText.Number(capacity)));
            }

            if (strategy is < TokenBucketStrategy or > LeakyBucketStrategy)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnknownStrategy,
                    arguments.NamedLocation("Strategy"),
                    "(RateLimitStrategy)" + strategy.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            else if (strategy == SlidingWindowStrategy && arguments.Has("Burst"))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BurstNotApplicable, arguments.NamedLocation("Burst")));
            }
        }

        if (double.IsNaN(maxWait) || maxWait < 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMaxWait, arguments.NamedLocation("MaxWaitSeconds"), SymbolText.Number(maxWait)));
        }

        // Without a Key, every call of the method shares one bucket; methods naming one limiter share its bucket.
        KeyPathModel? keyPath = null;
        if (key is not null)
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
            Rate: rate,
            Per: per,
            Burst: arguments.Has("Burst") ? burst : 0,
            Strategy: strategy,
            Scope: scope,
            LimiterName: string.IsNullOrEmpty(limiter) ? null : limiter,
            MaxWaitSeconds: maxWait,
            Key: keyPath,
            DefaultKey: keyPath is not null ? null : string.IsNullOrEmpty(limiter) ? names.DefaultKey : limiter);
    }

    private static bool CheckPositiveFinite(string name, double value, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (value > 0 && !double.IsInfinity(value))
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidNumber, location, name, SymbolText.Number(value)));
        return false;
    }
}
