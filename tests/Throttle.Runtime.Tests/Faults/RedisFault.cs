namespace Throttle.Tests.Faults;

/// <summary>The Redis faults of issue 18's matrix.</summary>
public enum RedisFault
{
    /// <summary><c>kill -9</c> of the server, then a restart on the same port: every key and script is gone.</summary>
    KillAndRestart,

    /// <summary><c>CLIENT PAUSE … ALL</c> for longer than the operation timeout: calls time out, the state stays.</summary>
    ClientPause,

    /// <summary><c>SCRIPT FLUSH</c>: the script cache is emptied; the state stays.</summary>
    ScriptFlush,

    /// <summary><c>FLUSHALL</c>: every key is gone, the server keeps running.</summary>
    FlushAll,
}

/// <summary>What a fault does to what Redis holds: the outcome a subject must show after it.</summary>
internal static class RedisFaultEffects
{
    /// <summary>Whether calls fail while the fault lasts (the server is down or paused).</summary>
    public static bool IsOutage(this RedisFault fault) => fault is RedisFault.KillAndRestart or RedisFault.ClientPause;

    /// <summary>Whether the fault wipes the keys (after it, a fresh burst is the most a limiter may admit).</summary>
    public static bool WipesState(this RedisFault fault) => fault is RedisFault.KillAndRestart or RedisFault.FlushAll;
}
