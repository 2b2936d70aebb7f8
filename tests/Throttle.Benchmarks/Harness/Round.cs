using System;
using System.Linq;

namespace Throttle.Benchmarks.Harness;

/// <summary>One measured round of one participant.</summary>
/// <param name="Operations">Operations completed (a wait cancelled at the end of the round is not one).</param>
/// <param name="Seconds">From the first worker's start to the last worker's return.</param>
/// <param name="RoundTrips">Requests the participant's connection sent (<c>OperationCount</c> delta).</param>
/// <param name="Server">The server's command statistics for the round (reset before it).</param>
/// <param name="PerWorker">Operations completed by each worker (fairness).</param>
/// <param name="LatenciesMs">Every completed operation's latency (call to completion) in ms, sorted.</param>
internal sealed record Round(long Operations, double Seconds, long RoundTrips, CommandStats Server, long[] PerWorker, double[] LatenciesMs)
{
    public double LatencyP50Ms => RedisRounds.Percentile(LatenciesMs, 0.50);

    public double LatencyP99Ms => RedisRounds.Percentile(LatenciesMs, 0.99);

    public double OpsPerSecond => Operations / Seconds;

    public double RoundTripsPerOp => (double)RoundTrips / Math.Max(1, Operations);

    public double CommandsPerOp => (double)Server.Commands / Math.Max(1, Operations);

    public double ScriptCallsPerOp => (double)Server.ScriptCalls / Math.Max(1, Operations);

    public double ScriptMicrosPerOp => (double)Server.ScriptMicros / Math.Max(1, Operations);

    public long MinPerWorker => PerWorker.Min();

    public long MaxPerWorker => PerWorker.Max();
}
