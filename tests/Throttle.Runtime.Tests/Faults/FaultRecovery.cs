using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Throttle.Storage;

namespace Throttle.Tests.Faults;

internal static class FaultRecovery
{
    /// <summary>Retries while the connection comes back by itself (no restart of anything); 30 s only guards a hang.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt)
    {
        var guard = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (ThrottleStorageException) when (guard.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
        }
    }
}
