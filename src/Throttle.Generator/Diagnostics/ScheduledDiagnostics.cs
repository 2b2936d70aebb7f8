using Microsoft.CodeAnalysis;

namespace Throttle.Generator.Diagnostics;

/// <summary>The diagnostics of <c>[Scheduled]</c> (THR5xx); each links to its section of docs/diagnostics.md.</summary>
internal static class ScheduledDiagnostics
{
    private const string HelpBase = "https://github.com/throttle-dotnet/throttle/blob/main/docs/diagnostics.md#";

    /// <summary>No interval and no cron expression, or both.</summary>
    public static readonly DiagnosticDescriptor NoSchedule = new(
        "THR501", "Scheduled job needs one schedule", "{0}",
        "Throttle",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr501");

    /// <summary>An interval part that is zero, negative, NaN or infinite.</summary>
    public static readonly DiagnosticDescriptor IntervalOutOfRange = new(
        "THR502", "Scheduled interval out of range", "{0}",
        "Throttle",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr502");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = new(
        "THR503",
        "Scheduled method must return Task, ValueTask or void",
        "[Scheduled] method '{0}' returns '{1}'; a scheduled job returns Task, ValueTask or void (not async void)",
        "Throttle",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr503");

    public static readonly DiagnosticDescriptor UnsupportedParameters = new(
        "THR504",
        "Scheduled method takes nothing or one CancellationToken",
        "[Scheduled] method '{0}' {1}; a scheduled job takes no parameters or one CancellationToken, which is cancelled when the scheduler stops or the leadership is lost",
        "Throttle",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr504");

    public static readonly DiagnosticDescriptor DuplicateName = new(
        "THR505",
        "Scheduled job name used twice",
        "The scheduled job name '{0}' is also used by '{1}'; give each job its own Name",
        "Throttle",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr505");

    /// <summary>Leadership without OnlyOnLeader.</summary>
    public static readonly DiagnosticDescriptor LeadershipWithoutLeader = new(
        "THR506", "Leadership needs OnlyOnLeader", "{0}",
        "Throttle",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr506");

    public static readonly DiagnosticDescriptor TypeNotRegistrable = new(
        "THR507",
        "Scheduled method's type cannot register it",
        "[Scheduled] method '{0}' is in '{1}', which {2}; the generator registers jobs in a partial part of their type",
        "Throttle",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "thr507");
}
