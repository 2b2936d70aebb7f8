using System;
using Microsoft.Extensions.Logging;

namespace Throttle.Coordination;

/// <summary>The coordinator's logs, with stable event ids (51xx).</summary>
internal static partial class CoordinatorLog
{
    [LoggerMessage(EventId = 5101, EventName = "LeadershipAcquired", Level = LogLevel.Information,
        Message = "Leadership '{LockName}' acquired by {HolderId} with fencing token {FencingToken}")]
    public static partial void Acquired(ILogger logger, string lockName, string holderId, long fencingToken);

    [LoggerMessage(EventId = 5102, EventName = "LeadershipLost", Level = LogLevel.Warning,
        Message = "Leadership '{LockName}' lost by {HolderId} (fencing token {FencingToken}): {Reason}")]
    public static partial void Lost(ILogger logger, string lockName, string holderId, long fencingToken, LeadershipLossReason reason);

    [LoggerMessage(EventId = 5103, EventName = "LeadershipReleased", Level = LogLevel.Information,
        Message = "Leadership '{LockName}' released by {HolderId} (fencing token {FencingToken})")]
    public static partial void Released(ILogger logger, string lockName, string holderId, long fencingToken);

    [LoggerMessage(EventId = 5104, EventName = "LeadershipStorageUnreachable", Level = LogLevel.Warning,
        Message = "Leadership '{LockName}': {Operation} by {HolderId} failed; a follower stays follower, a leader steps down before its lease ends")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string lockName, string operation, string holderId);

    [LoggerMessage(EventId = 5105, EventName = "LeadershipHandlerFailed", Level = LogLevel.Error,
        Message = "Leadership '{LockName}': a handler of {Event} threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string lockName, string @event);
}
