using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Testing;

namespace Throttle.Tests.Semaphores;

/// <summary>Runs tests/Throttle.Semaphore.Worker as a separate OS process (<see cref="WorkerProcess"/>) and collects what it prints.</summary>
internal sealed class SemaphoreWorker : IDisposable
{
    private readonly WorkerProcess _process;

    private SemaphoreWorker(string[] arguments)
    {
        _process = WorkerProcess.Start(WorkerPath, arguments);
        Acquired = _process.WaitForLineAsync(line => line == "ACQUIRED", Timeout.InfiniteTimeSpan);
    }

    /// <summary>Built next to this test project by its ProjectReference (ReferenceOutputAssembly="false").</summary>
    public static string WorkerPath =>
        WorkerProcess.PathOf(typeof(SemaphoreWorker).Assembly, "SemaphoreWorkerPath", "tests/Throttle.Semaphore.Worker");

    public string Output => _process.Output;

    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when the worker prints ACQUIRED.</summary>
    public Task Acquired { get; }

    public static SemaphoreWorker Start(params string[] arguments) => new(arguments);

    public Task WaitForExitAsync(TimeSpan guard) => _process.WaitForExitAsync(guard);

    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
