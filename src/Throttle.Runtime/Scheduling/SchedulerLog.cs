using System;
using Microsoft.Extensions.Logging;

namespace Throttle.Scheduling;

/// <summary>The scheduler's logs, with stable event ids (50xx).</summary>
internal static partial class SchedulerLog
{
    [LoggerMessage(EventId = 5001, EventName = "ScheduledJobFailed", Level = LogLevel.Error,
        Message = "Scheduled job '{JobName}' failed; it runs again at its next occurrence")]
    public static partial void JobFailed(ILogger logger, Exception exception, string jobName);

    [LoggerMessage(EventId = 5002, EventName = "ScheduledRunsSkipped", Level = LogLevel.Warning,
        Message = "Scheduled job '{JobName}' ran past {Skipped} of its occurrences; they were skipped, not run late")]
    public static partial void RunsSkipped(ILogger logger, string jobName, long skipped);

    [LoggerMessage(EventId = 5003, EventName = "ScheduledHandlerFailed", Level = LogLevel.Error,
        Message = "A handler of Scheduler.JobFailed threw for job '{JobName}'")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string jobName);

    [LoggerMessage(EventId = 5004, EventName = "ScheduledLeadershipStartFailed", Level = LogLevel.Error,
        Message = "The leadership '{Leadership}' of leader-only scheduled jobs could not be started")]
    public static partial void LeadershipStartFailed(ILogger logger, Exception exception, string leadership);
}
