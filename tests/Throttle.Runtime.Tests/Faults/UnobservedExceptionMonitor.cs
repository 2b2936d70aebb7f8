using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Tests.Faults;

/// <summary>
/// Records <see cref="TaskScheduler.UnobservedTaskException"/> while a fault test runs. The fault collection runs
/// alone (no parallel tests), and garbage of earlier tests is collected before listening, so what it records came
/// from this run.
/// </summary>
internal sealed class UnobservedExceptionMonitor : IDisposable
{
    private readonly ConcurrentQueue<Exception> _seen = new();

    public UnobservedExceptionMonitor()
    {
        Collect();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    /// <summary>Forces collection and finalization (twice: finalizers free more), then asserts nothing was unobserved.</summary>
    public void AssertNoneAfterFinalization()
    {
        Collect();
        var seen = _seen.ToArray();
        Assert.True(
            seen.Length == 0,
            $"{seen.Length} unobserved task exception(s): " + string.Join(" | ", seen.Select(e => e.GetType().Name + ": " + e.Message[..Math.Min(e.Message.Length, 120)]).Take(5)));
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private static void Collect()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        foreach (var inner in e.Exception.InnerExceptions)
        {
            _seen.Enqueue(inner);
        }
    }
}
