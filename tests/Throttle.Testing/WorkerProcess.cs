using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing;

/// <summary>
/// A test worker (a console project built next to the test project) run as a separate OS process with
/// <c>dotnet &lt;dll&gt;</c>: records each line it prints on stdout or stderr with when it arrived, and completes waiters
/// on the lines they match. Killed (with its children) on dispose if still running.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<(long At, string Line)> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private WorkerProcess(string path, IEnumerable<string> arguments, bool redirectInput)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
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
        Exited = _process.WaitForExitAsync(); // completes once the process is gone and its output is read
    }

    /// <summary>Completes once the process has ended and every line it printed has been recorded.</summary>
    public Task Exited { get; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once the process has ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Every line printed so far (stdout and stderr interleaved), with its <see cref="Stopwatch"/> arrival timestamp.</summary>
    public IReadOnlyList<(long At, string Line)> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>Every line printed so far, one a line, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, Lines.Select(l => l.Line));

    /// <summary>
    /// The worker's dll, named by the test assembly's <c>AssemblyMetadata(<paramref name="metadataKey"/>)</c> (its
    /// project's output path, set in the test project next to a ProjectReference with ReferenceOutputAssembly="false").
    /// </summary>
    /// <param name="testAssembly">The assembly that carries the metadata.</param>
    /// <param name="metadataKey">The metadata's key, such as <c>SemaphoreWorkerPath</c>.</param>
    /// <param name="project">The worker's project, named in the error when it is not built.</param>
    public static string PathOf(Assembly testAssembly, string metadataKey, string project)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        var path = testAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == metadataKey).Value!;
        return File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"Build {project} first.", path);
    }

    /// <summary>Starts <c>dotnet <paramref name="path"/> <paramref name="arguments"/></c>.</summary>
    /// <param name="path">The worker's dll (<see cref="PathOf"/>).</param>
    /// <param name="arguments">The worker's command line.</param>
    /// <param name="redirectInput">Whether the test writes to the worker's stdin (<see cref="SendLineAsync"/>).</param>
    public static WorkerProcess Start(string path, IEnumerable<string> arguments, bool redirectInput = false) =>
        new(path, arguments, redirectInput);

    /// <summary>The first line (already printed or still to come) that <paramref name="match"/> accepts.</summary>
    /// <param name="match">Which line.</param>
    /// <param name="guard">How long to wait for a line still to come before failing with a <see cref="TimeoutException"/>.</param>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan guard)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_lines)
        {
            foreach (var (_, line) in _lines)
            {
                if (match(line))
                {
                    return Task.FromResult(line);
                }
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(guard);
        }
    }

    /// <summary>The arrival timestamp of the first line equal to <paramref name="line"/>.</summary>
    public long ArrivalOf(string line) => Lines.First(l => l.Line == line).At;

    /// <summary>Writes one line to the worker's stdin (started with <c>redirectInput</c>), blocking until it is flushed.</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Writes one line to the worker's stdin (started with <c>redirectInput</c>).</summary>
    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the process to end; fails with an <see cref="OperationCanceledException"/> after <paramref name="guard"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan guard)
    {
        using var cancellation = new CancellationTokenSource(guard);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    /// <summary>kill -9 of the process and its children: no shutdown, no release.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Kills the process if it still runs.</summary>
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

        var at = Stopwatch.GetTimestamp();
        List<TaskCompletionSource<string>> found = [];
        lock (_lines)
        {
            _lines.Add((at, line));
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    found.Add(_waiters[i].Found);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in found)
        {
            waiter.TrySetResult(line);
        }
    }
}
