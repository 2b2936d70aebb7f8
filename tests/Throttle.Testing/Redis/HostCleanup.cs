using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Throttle.Testing.Redis;

/// <summary>Stops every server this process started when the process exits, including ones a test forgot to dispose.</summary>
internal static class HostCleanup
{
    private static readonly ConcurrentDictionary<IRedisHost, byte> s_hosts = new();
    private static int s_registered;

    public static void Track(IRedisHost host)
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        }

        s_hosts.TryAdd(host, 0);
    }

    public static void Untrack(IRedisHost host) => s_hosts.TryRemove(host, out _);

    private static void KillAll()
    {
        foreach (var host in s_hosts.Keys)
        {
            try
            {
                host.Kill();
            }
            catch (Exception)
            {
                // Process exit: one host failing to stop must not keep the others running.
            }
        }
    }
}
