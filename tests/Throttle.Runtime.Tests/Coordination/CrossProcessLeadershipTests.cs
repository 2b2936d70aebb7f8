using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Throttle.Internal;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Coordination;

/// <summary>Leader election across three OS processes on a real redis-server.</summary>
[Collection(RedisFixture.CollectionName)]
public sealed class CrossProcessLeadershipTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int TtlMs = 2000;
    private const int RetryMs = 300;
    private const int ObservationSlackMs = 200;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [RedisFact]
    public async Task Three_processes_lead_one_at_a_time_with_growing_fencing_tokens()
    {
        var prefix = redis.KeyPrefix();
        var workers = Enumerable.Range(0, 3).Select(id => CoordinationWorker.Start(id, "lead", redis.Endpoint, prefix, "lock", Text(TtlMs), Text(RetryMs), "250")).ToArray();
        try
        {
            foreach (var worker in workers)
            {
                await worker.WaitForLineAsync(line => line == "READY", Guard);
            }

            await Task.Delay(TimeSpan.FromSeconds(6)); // real time on purpose: leadership moves among real processes
            foreach (var worker in workers)
            {
                await worker.StopAsync(Guard);
            }

            // A term's end: when its release deleted the lease (the leader had stepped down before sending it), else the
            // leader's own bound (last server time it saw plus its local time since that request was sent).
            var released = workers.SelectMany(w => w.Lines.Where(l => l.Line.StartsWith("RELEASED ", StringComparison.Ordinal)))
                .Select(l => l.Line.Split(' ')).DistinctBy(p => p[1]).ToDictionary(p => long.Parse(p[1], CultureInfo.InvariantCulture), p => long.Parse(p[2], CultureInfo.InvariantCulture));
            var terms = workers.SelectMany(w => w.Lines.Where(l => l.Line.StartsWith("LOST ", StringComparison.Ordinal)).Select(l => Term.Parse(w.Id, l.Line)))
                .Select(t => released.TryGetValue(t.Token, out var end) && end < t.End ? t with { End = end } : t)
                .OrderBy(t => t.Start).ToList();
            var acquired = workers.Sum(w => w.Lines.Count(l => l.Line.StartsWith("ACQUIRED ", StringComparison.Ordinal)));
            output.WriteLine($"{terms.Count} terms: " + string.Join(", ", terms.Select(t => $"#{t.Worker} {t.Token} [{t.Start}, {t.End}] {t.Reason}")));
            Assert.Equal(acquired, terms.Count);
            Assert.True(terms.Count >= 5, $"only {terms.Count} terms:\n" + string.Join("\n", workers.Select(w => w.Output)));
            Assert.True(terms.Select(t => t.Worker).Distinct().Count() >= 2, "leadership never moved");
            for (var i = 1; i < terms.Count; i++)
            {
                Assert.True(terms[i].Start > terms[i - 1].End, $"term {terms[i]} began before {terms[i - 1]} ended");
                Assert.True(terms[i].Token > terms[i - 1].Token, $"token {terms[i].Token} after {terms[i - 1].Token}");
            }
        }
        finally
        {
            Dispose(workers);
        }
    }

    [RedisFact]
    public async Task After_kill_9_of_the_leader_a_follower_leads_within_ttl_plus_the_retry_interval()
    {
        var prefix = redis.KeyPrefix();
        var workers = Enumerable.Range(0, 3).Select(id => CoordinationWorker.Start(id, "lead", redis.Endpoint, prefix, "lock", Text(TtlMs), Text(RetryMs), "0")).ToArray();
        try
        {
            foreach (var worker in workers)
            {
                await worker.WaitForLineAsync(line => line == "READY", Guard);
            }

            var leader = Assert.Single(workers, w => w.Lines.Any(l => l.Line.StartsWith("ACQUIRED ", StringComparison.Ordinal)));
            var oldToken = Term.TokenOf(leader.Lines.First(l => l.Line.StartsWith("ACQUIRED ", StringComparison.Ordinal)).Line);
            var killed = Stopwatch.GetTimestamp();
            leader.Kill();

            var followers = workers.Where(w => w != leader).ToArray();
            var line = await FirstAsync(followers.Select(f => f.WaitForLineAsync(l => l.StartsWith("ACQUIRED ", StringComparison.Ordinal), Guard)));
            var newLeader = followers.Single(f => f.Lines.Any(l => l.Line == line));
            var takeover = Stopwatch.GetElapsedTime(killed, newLeader.ArrivalOf(line));
            output.WriteLine($"takeover after kill -9: {takeover.TotalMilliseconds:F0} ms (ttl {TtlMs} ms + retry {RetryMs} ms)");
            // Seen from here the takeover also includes the new leader's line travelling through its stdout pipe and a
            // thread-pool hop, which a loaded 2-core run stretches to tens of milliseconds.
            Assert.True(takeover <= TimeSpan.FromMilliseconds(TtlMs + RetryMs + ObservationSlackMs), $"took {takeover.TotalMilliseconds} ms");
            Assert.True(Term.TokenOf(line) > oldToken);
            Assert.Single(followers, f => f.Lines.Any(l => l.Line.StartsWith("ACQUIRED ", StringComparison.Ordinal)));
        }
        finally
        {
            Dispose(workers);
        }
    }

    [RedisFact]
    public async Task A_leader_cut_off_by_client_pause_steps_down_before_a_new_leader_starts()
    {
        // CLIENT PAUSE stops every client of the server, so this test has a server of its own.
        await using var server = await redis.StartDedicatedAsync();
        var workers = Enumerable.Range(0, 3).Select(id => CoordinationWorker.Start(id, "lead", server.Endpoint, "throttle", "lock", Text(TtlMs), Text(RetryMs), "0")).ToArray();
        try
        {
            foreach (var worker in workers)
            {
                await worker.WaitForLineAsync(line => line == "READY", Guard);
            }

            var leader = Assert.Single(workers, w => w.Lines.Any(l => l.Line.StartsWith("ACQUIRED ", StringComparison.Ordinal)));
            var oldToken = Term.TokenOf(leader.Lines.First(l => l.Line.StartsWith("ACQUIRED ", StringComparison.Ordinal)).Line);
            await using var admin = await server.ConnectAsync();
            const int PauseMs = TtlMs + 1500;
            var paused = Stopwatch.GetTimestamp();
            await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "PAUSE", Text(PauseMs), "ALL");
            var pauseEnds = paused + (long)(PauseMs / 1000.0 * Stopwatch.Frequency);

            var lost = await leader.WaitForLineAsync(l => l.StartsWith("LOST ", StringComparison.Ordinal), Guard);
            var lostAt = leader.ArrivalOf(lost);
            var acquired = await FirstAsync(workers.Select(w => w.WaitForLineAsync(
                l => l.StartsWith("ACQUIRED ", StringComparison.Ordinal) && Term.TokenOf(l) > oldToken, Guard)));
            var newLeader = workers.Single(w => w.Lines.Any(l => l.Line == acquired));
            var acquiredAt = newLeader.ArrivalOf(acquired);
            var old = Term.Parse(leader.Id, lost);
            var newStart = long.Parse(acquired.Split(' ')[2], CultureInfo.InvariantCulture);
            output.WriteLine(
                $"old leader stepped down {Stopwatch.GetElapsedTime(lostAt, pauseEnds).TotalMilliseconds:F0} ms before the pause ended ({old.Reason}); " +
                $"new leader #{newLeader.Id} began {(newStart - old.End) / 1000.0:F0} ms (server clock) after the old one's latest end");

            Assert.True(old.Reason == "Expired", lost);
            Assert.True(lostAt < pauseEnds, "the old leader did not step down while cut off");
            Assert.True(lostAt < acquiredAt);
            Assert.True(newStart > old.End, $"new term began at {newStart}, the old one may have lasted until {old.End}");
        }
        finally
        {
            Dispose(workers);
        }
    }

    [RedisFact]
    public async Task A_leader_only_job_across_three_processes_runs_once_per_interval_in_total()
    {
        const int IntervalMs = 500;
        var prefix = redis.KeyPrefix();
        var runs = prefix + "runs";
        var workers = Enumerable.Range(0, 3).Select(id => CoordinationWorker.Start(
            id, "schedule", redis.Endpoint, prefix, "jobs", Text(TtlMs), Text(RetryMs), Text(IntervalMs), runs)).ToArray();
        try
        {
            foreach (var worker in workers)
            {
                await worker.WaitForLineAsync(line => line == "READY", Guard);
            }

            var started = Stopwatch.GetTimestamp();
            var before = await redis.Database.ListLengthAsync(runs);
            await Task.Delay(TimeSpan.FromSeconds(5)); // real time: the job runs on the processes' real clocks
            var after = await redis.Database.ListLengthAsync(runs);
            var measuredAt = Stopwatch.GetTimestamp();
            var elapsed = Stopwatch.GetElapsedTime(started);
            foreach (var worker in workers)
            {
                await worker.StopAsync(Guard);
            }

            var expected = elapsed.TotalMilliseconds / IntervalMs;
            var counted = after - before;
            output.WriteLine($"{counted} runs in {elapsed.TotalMilliseconds:F0} ms at one per {IntervalMs} ms (expected about {expected:F1}; three times that if every process ran it)");
            Assert.InRange(counted, (long)Math.Floor(expected) - 1, (long)Math.Ceiling(expected) + 1);
            // Only runs inside the measured window: stopping the leader hands leadership to the next worker, which may
            // run the job once before it is stopped in turn.
            var running = workers.Where(w => w.Lines.Any(l => l.At <= measuredAt && l.Line.StartsWith("RUN ", StringComparison.Ordinal))).ToArray();
            Assert.Single(running);
        }
        finally
        {
            Dispose(workers);
        }
    }

    private static void Dispose(IEnumerable<CoordinationWorker> workers)
    {
        foreach (var worker in workers)
        {
            worker.Dispose();
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Term(int Worker, long Token, string Reason, long Start, long End)
    {
        public static Term Parse(int worker, string line)
        {
            var parts = line.Split(' ');
            return new Term(worker, long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture));
        }

        public static long TokenOf(string line) => long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The first line of several waits. The others are observed: each fails with a TimeoutException when its guard runs
    /// out, long after this test, and unobserved it would fail whichever test then watches for unobserved exceptions.
    /// </summary>
    private static async Task<string> FirstAsync(IEnumerable<Task<string>> waits)
    {
        var all = waits.ToArray();
        foreach (var wait in all)
        {
            TaskObserver.ObserveFailure(wait);
        }

        return await await Task.WhenAny(all);
    }
}
