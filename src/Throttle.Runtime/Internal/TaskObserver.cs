using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Internal;

/// <summary>
/// Observes the failure of a task nobody awaits any more (an operation abandoned at its timeout, a background
/// clean-up), so that it never reaches <see cref="TaskScheduler.UnobservedTaskException"/>.
/// </summary>
internal static class TaskObserver
{
    /// <summary>Observes <paramref name="task"/>'s exception, now or when it fails.</summary>
    public static void ObserveFailure(Task task)
    {
        if (task.IsCompleted)
        {
            _ = task.Exception;
            return;
        }

        task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
