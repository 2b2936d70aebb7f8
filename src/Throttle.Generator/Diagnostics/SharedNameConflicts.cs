using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Generator.Model;

namespace Throttle.Generator.Diagnostics;

/// <summary>
/// Compares every method's claims on shared names (a rate-limit scope, a breaker name, a semaphore key) across the
/// compilation: methods that share a name share its state, so their settings must agree (docs/diagnostics.md#thr110,
/// #thr305, #thr403). Each method that disagrees gets one error at its attribute, naming another method and the
/// settings that differ.
/// </summary>
internal static class SharedNameConflicts
{
    public static EquatableArray<DiagnosticInfo> Find(EquatableArray<SharedNameClaim> claims)
    {
        var diagnostics = new List<DiagnosticInfo>();
        foreach (var group in claims.GroupBy(c => (c.Kind, c.Name)))
        {
            var members = group.ToList();
            if (members.Count < 2)
            {
                continue;
            }

            foreach (var claim in members)
            {
                // The first method that disagrees is enough to name; fixing one pair at a time converges.
                var other = members.FirstOrDefault(c => !ReferenceEquals(c, claim) && c.Method != claim.Method && !c.Settings.Equals(claim.Settings));
                if (other is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptor(claim.Kind), claim.Location, claim.Name, other.Method, Differences(claim, other)));
                }
            }
        }

        return new EquatableArray<DiagnosticInfo>(diagnostics);
    }

    private static DiagnosticDescriptor Descriptor(SharedNameKind kind) => kind switch
    {
        SharedNameKind.RateLimitScope => DiagnosticDescriptors.ScopeSettingsDiffer,
        SharedNameKind.CircuitBreaker => DiagnosticDescriptors.BreakerSettingsDiffer,
        _ => DiagnosticDescriptors.SemaphoreSettingsDiffer,
    };

    /// <summary><c>Rate (5 here, 10 there), Burst (5 here, 20 there)</c>.</summary>
    private static string Differences(SharedNameClaim claim, SharedNameClaim other)
    {
        var theirs = other.Settings.ToDictionary(s => s.Name, s => s.Value);
        var parts = new List<string>();
        foreach (var setting in claim.Settings)
        {
            if (!theirs.TryGetValue(setting.Name, out var value) || value != setting.Value)
            {
                parts.Add($"{setting.Name} ({setting.Value} here, {value ?? "unset"} there)");
            }
        }

        return string.Join(", ", parts);
    }
}
