using System.Threading;
using System.Threading.Tasks;
using Throttle.Scheduling;

namespace Throttle.Hosting.Tests.Scheduling;

/// <summary>Counts the instances the container made; shared by the tests of one host.</summary>
public sealed class RunLog
{
    private int _instances;
    private int _runs;

    public TaskCompletionSource SecondRun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Instances => Volatile.Read(ref _instances);

    public int Runs => Volatile.Read(ref _runs);

    public void Created() => Interlocked.Increment(ref _instances);

    public void Ran()
    {
        if (Interlocked.Increment(ref _runs) == 2)
        {
            SecondRun.TrySetResult();
        }
    }
}

/// <summary>A scoped service with a generated [Scheduled] job: each run gets a new instance.</summary>
public sealed partial class ReportJob
{
    private readonly RunLog _log;

    public ReportJob(RunLog log)
    {
        _log = log;
        log.Created();
    }

    [Scheduled(Seconds = 5, Name = "hosting-report")]
    public Task ReportAsync(CancellationToken cancellationToken)
    {
        _log.Ran();
        return Task.CompletedTask;
    }
}
