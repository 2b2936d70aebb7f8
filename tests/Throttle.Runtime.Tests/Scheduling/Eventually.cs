using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace Throttle.Tests.Scheduling;

/// <summary>
/// Waits for work the code under test finishes on the thread pool (a job's continuation after the fake clock moved).
/// The limit guards against a hang; it is never the thing asserted.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    public static Task<bool> TrueAsync(Func<bool> condition) => TrueAsync(() => Task.FromResult(condition()));

    /// <summary>The same for a condition read from outside the process (a Redis server's counters): no signal tells.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > Safety)
            {
                return false;
            }

            await Task.Delay(1);
        }

        return true;
    }
}
