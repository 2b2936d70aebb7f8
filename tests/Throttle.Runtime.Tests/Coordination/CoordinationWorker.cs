using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Throttle.Testing;

namespace Throttle.Tests.Coordination;

/// <summary>Runs tests/Throttle.Coordination.Worker as a separate OS process (<see cref="WorkerProcess"/>) and records each line it prints, with when it arrived.</summary>
internal sealed class CoordinationWorker : IDisposable
{
    private readonly WorkerProcess _process;

    private CoordinationWorker(int id, string[] arguments)
    {
        Id = id;
        _process = WorkerProcess.Start(WorkerPath, arguments, redirectInput: true);
    }

    public static string WorkerPath =>
        WorkerProcess.PathOf(typeof(CoordinationWorker).Assembly, "CoordinationWorkerPath", "tests/Throttle.Coordination.Worker");

    public int Id { get; }

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<(long At, string Line)> Lines => _process.Lines;

    public string Output => _process.Output;

    public static CoordinationWorker Start(int id, params string[] arguments) => new(id, arguments);

    /// <summary>The first line (already printed or still to come) that matches, with its arrival timestamp.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan guard) => _process.WaitForLineAsync(match, guard);

    public long ArrivalOf(string line) => _process.ArrivalOf(line);

    public async Task StopAsync(TimeSpan guard)
    {
        await _process.SendLineAsync("stop");
        await _process.WaitForExitAsync(guard);
    }

    /// <summary>kill -9.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
