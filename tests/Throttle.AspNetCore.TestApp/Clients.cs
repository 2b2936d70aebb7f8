using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.AspNetCore.TestApp;

/// <summary>Two reports per user an hour; a third call is rejected at once (429).</summary>
public sealed partial class ReportClient
{
    public const int PerUser = 2;

    [RateLimit(PerUser, Per = 3600, Key = nameof(user), MaxWaitSeconds = 0)]
    public partial Task<string> GetReportAsync(string user, CancellationToken cancellationToken);

    private static Task<string> GetReportCoreAsync(string user, CancellationToken cancellationToken) =>
        Task.FromResult($"report for {user}");
}

/// <summary>A static generated method: it finds the request's runtime through ThrottleRuntime.Current.</summary>
public static partial class StaticReports
{
    public const int PerUser = 2;

    [RateLimit(PerUser, Per = 3600, Key = nameof(user), MaxWaitSeconds = 0)]
    public static partial string Lookup(string user);

    private static string LookupCore(string user) => $"lookup for {user}";
}

/// <summary>An upstream behind a breaker that opens on the first HttpRequestException, for 30 s.</summary>
public sealed partial class UpstreamClient
{
    public const double BreakSeconds = 30;

    [CircuitBreaker(FailureThreshold = 1, BreakSeconds = BreakSeconds, Name = "upstream", Handles = new[] { typeof(HttpRequestException) })]
    public partial Task<string> CallAsync(bool fail);

    private static async Task<string> CallCoreAsync(bool fail)
    {
        await Task.Yield();
        return fail ? throw new HttpRequestException("upstream down") : "upstream ok";
    }
}

/// <summary>What a request holding the one slot waits on: it says when it holds the slot and waits for the release.</summary>
public sealed class SlotGate
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One slot; a second caller waits at most 0.2 s, then gets SemaphoreTimeoutException (503).</summary>
public sealed partial class SlotClient
{
    public const double AcquireTimeoutSeconds = 0.2;

    [DistributedSemaphore("slot", 1, AcquireTimeoutSeconds = AcquireTimeoutSeconds)]
    public partial Task<string> HoldAsync(SlotGate gate);

    private static async Task<string> HoldCoreAsync(SlotGate gate)
    {
        gate.Entered.TrySetResult();
        await gate.Release.Task.ConfigureAwait(false);
        return "held";
    }
}

/// <summary>Work through the method's own queue; after the runtime's queues stop, calls fail with QueueStoppedException (503).</summary>
public sealed partial class WorkClient
{
    [Queued(Workers = 1)]
    public partial Task<string> RunAsync();

    private static Task<string> RunCoreAsync() => Task.FromResult("worked");
}
