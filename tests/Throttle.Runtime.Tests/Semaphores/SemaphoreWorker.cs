using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Tests.Semaphores;

/// <summary>Runs tests/Throttle.Semaphore.Worker as a separate OS process and collects what it prints.</summary>
internal sealed class SemaphoreWorker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SemaphoreWorker(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Built next to this test project by its ProjectReference (ReferenceOutputAssembly="false").</summary>
    public static string WorkerPath
    {
        get
        {
            var path = typeof(SemaphoreWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(attribute => attribute.Key == "SemaphoreWorkerPath").Value!;
            return File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException("Build tests/Throttle.Semaphore.Worker first.", path);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    public static SemaphoreWorker Start(params string[] arguments) => new(arguments);

    /// <summary>Completes when the worker prints ACQUIRED.</summary>
    public Task Acquired => _acquired.Task;

    public async Task WaitForExitAsync(TimeSpan guard)
    {
        using var cancellation = new CancellationTokenSource(guard);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line == "ACQUIRED")
        {
            _acquired.TrySetResult();
        }
    }
}
