using System;
using System.Threading.Tasks;

namespace Throttle.Tests.Faults;

/// <summary>
/// One thing that keeps state in Redis, put through a fault by <see cref="RedisFaultMatrixTests"/>: a limiter under
/// one failure policy, a semaphore, leader election (<see cref="CoordinatorFaultSubject"/>). A new subject is listed in
/// <see cref="FaultSubjects.All"/>.
/// </summary>
internal interface IFaultSubject : IAsyncDisposable
{
    /// <summary>For failure messages: the subject and its policy.</summary>
    string Name { get; }

    /// <summary>Before the fault: takes state (exhausts a key, holds slots) while Redis is healthy.</summary>
    Task PrepareAsync();

    /// <summary>While the server is down or paused: the documented outcome of a call, within the latency bound.</summary>
    Task DuringOutageAsync(FaultBounds bounds);

    /// <summary>After the fault, Redis answering again: recovery without a restart, and the invariants.</summary>
    Task AfterAsync(RedisFault fault, FaultBounds bounds);
}

/// <summary>The timing of one fault run.</summary>
/// <param name="OperationTimeout">Every storage's <c>OperationTimeout</c>.</param>
/// <param name="Slack">Added to the timeout for the bound on caller latency: generous, only an upper bound.</param>
internal sealed record FaultBounds(TimeSpan OperationTimeout, TimeSpan Slack)
{
    /// <summary>The longest a call may take while Redis is unreachable.</summary>
    public TimeSpan CallerLatency => OperationTimeout + Slack;
}
