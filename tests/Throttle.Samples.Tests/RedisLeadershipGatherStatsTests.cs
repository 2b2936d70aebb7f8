using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Samples.Tests;

/// <summary>
/// The leader-only licence report across two sample processes on one Redis server: one leads and reports; killed with
/// SIGKILL (no release), the other takes over once the lease has run out, with a larger fencing token.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisLeadershipGatherStatsTests(RedisFixture redis, ITestOutputHelper output)
{
    private const double TtlSeconds = 2;
    private const double RetryIntervalSeconds = 0.5;

    // Generous for a shared two-core machine: waits that end at an event, bounded so a broken build fails, not hangs.
    private static readonly TimeSpan s_eventTimeout = TimeSpan.FromSeconds(60);

    [RedisFact]
    public async Task One_instance_leads_and_reports_and_the_other_takes_over_within_ttl_plus_retry_when_it_is_killed()
    {
        var settings = new Dictionary<string, string?>
        {
            // A key prefix of this test's own: a lease left behind by another test's killed process does not count.
            ["Throttle__Redis__KeyPrefix"] = redis.KeyPrefix(),
            ["GatherStats__Leadership__TtlSeconds"] = TtlSeconds.ToString(CultureInfo.InvariantCulture),
            ["GatherStats__Leadership__RetryIntervalSeconds"] = RetryIntervalSeconds.ToString(CultureInfo.InvariantCulture),
            ["GatherStats__LicenceReportSeconds"] = "0.2",
        };
        await using var first = await SampleProcess.StartAsync(redis.Endpoint, settings);
        await using var second = await SampleProcess.StartAsync(redis.Endpoint, settings);
        var samples = new[] { first, second };

        // Whoever acquired first says so in its log; the two answers then name one leader and one follower.
        // The other wait may time out later: its failure is observed, never left to TaskScheduler.UnobservedTaskException.
        var waits = samples.Select(s => s.WaitForLineAsync(IsAcquiredLine, s_eventTimeout)).ToArray();
        foreach (var wait in waits)
        {
            _ = wait.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await await Task.WhenAny(waits);
        var before = await Task.WhenAll(samples.Select(LeadershipStatusAnswer.GetAsync));
        output.WriteLine($"before: {before[0]}\n{before[1]}");
        Assert.Equal(1, before.Count(s => s.IsLeader));
        var leaderIndex = before[0].IsLeader ? 0 : 1;
        var (leader, follower) = (samples[leaderIndex], samples[1 - leaderIndex]);
        var (leaderStatus, followerStatus) = (before[leaderIndex], before[1 - leaderIndex]);
        Assert.True(leaderStatus.FencingToken > 0, leaderStatus.ToString());
        Assert.Equal(0, followerStatus.FencingToken);
        Assert.Equal(0, followerStatus.ReportsMade);

        // The leader's job runs (every 0.2 s): its reports carry its own term's token.
        var leaderReport = await ReportOfTermAsync(leader, leaderStatus.FencingToken);
        Assert.Equal(3, leaderReport.LastReport.GetProperty("licences").GetInt32());

        // kill -9: the lease stays in Redis until its TTL ends, then the follower acquires.
        var killed = Stopwatch.StartNew();
        await leader.KillAsync();
        var line = await follower.WaitForLineAsync(l => IsAcquiredLine(l) && l.Contains(followerStatus.Instance, StringComparison.Ordinal), s_eventTimeout);
        var takeover = killed.Elapsed;
        output.WriteLine($"takeover {takeover.TotalMilliseconds:F0} ms after kill -9 (ttl {TtlSeconds} s, retry {RetryIntervalSeconds} s): {line.Trim()}");

        var after = await ReportOfTermAsync(follower, minimumToken: leaderStatus.FencingToken + 1);
        output.WriteLine($"after: {after}");
        Assert.True(after.IsLeader, after.ToString());
        Assert.True(after.FencingToken > leaderStatus.FencingToken, $"The new term's token {after.FencingToken} is not above the old {leaderStatus.FencingToken}.");

        // The new leader did not take a live lease: the killed one renewed at most ttl/2 before the kill, so at least
        // about ttl/2 of it was left; and it took over within ttl + retry interval (+ slack for the machine and the log).
        Assert.InRange(takeover, TimeSpan.FromSeconds(TtlSeconds / 4), TimeSpan.FromSeconds(TtlSeconds + RetryIntervalSeconds + 3));

        // /metrics publishes the report of the new leader's term.
        var metrics = await follower.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains($"gatherstats_licences_leader_token {after.FencingToken.ToString(CultureInfo.InvariantCulture)}", metrics, StringComparison.Ordinal);
        Assert.Contains("gatherstats_licences_in_use 0", metrics, StringComparison.Ordinal);
    }

    private static bool IsAcquiredLine(string line) =>
        line.Contains("Leadership 'gatherstats-leader' acquired by", StringComparison.Ordinal);

    // GET /leader until a report of a term with at least that token appears (the sample's own state: another process,
    // so it is asked, at 100 ms steps, bounded).
    private static async Task<LeadershipStatusAnswer> ReportOfTermAsync(SampleProcess sample, long minimumToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var status = await LeadershipStatusAnswer.GetAsync(sample);
            if (status.ReportsMade > 0 && status.LastReport.ValueKind == System.Text.Json.JsonValueKind.Object &&
                status.LastReport.GetProperty("fencing_token").GetInt64() >= minimumToken)
            {
                Assert.Equal(status.FencingToken, status.LastReport.GetProperty("fencing_token").GetInt64());
                return status;
            }

            Assert.True(waited.Elapsed < s_eventTimeout, $"No report of a term with token >= {minimumToken}: {status}\n{sample.Output}");
            await Task.Delay(100);
        }
    }
}
