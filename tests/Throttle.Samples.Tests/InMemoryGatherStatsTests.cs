using System;
using System.Net;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>One instance, no configuration: in memory, the licences bound this process's calls.</summary>
public sealed class InMemoryGatherStatsTests(MemoryInstanceFixture instance) : IClassFixture<MemoryInstanceFixture>
{
    private const int Licences = 3;

    [Fact]
    public async Task Fan_out_completes_every_call_and_the_upstream_never_sees_more_callers_than_licences()
    {
        var answer = await GatherStatsAnswer.GetAsync(instance.Sample, "calls=30");

        Assert.Equal("memory", answer.Mode);
        Assert.Equal(Licences, answer.Licences);
        Assert.Equal(30, answer.CallsRequested);
        Assert.Equal(30, answer.Completed);
        Assert.Equal(0, answer.Rejected);
        Assert.Equal(0, answer.Failed);
        Assert.Empty(answer.Errors.EnumerateObject());

        // The bound, and that it was reached: 30 calls of 100 ms were all started at once, so 3 ran together.
        Assert.Equal(Licences, answer.InstanceMax);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, answer.ClusterMax.ValueKind);

        // 30 calls through 3 licences queue: 10 waves of about 100 ms, so most calls waited.
        Assert.InRange(answer.P50, 100, 60_000);
        Assert.InRange(answer.P95, answer.P50, 60_000);
        Assert.True(answer.WaitTotal > 0, answer.ToString());
        Assert.Equal(Math.Round(answer.WaitTotal / answer.Completed, 1), answer.WaitAvg, 0.11);
        Assert.Equal("Closed", answer.BreakerState);
        Assert.True(answer.FinishedAt >= answer.StartedAt);
    }

    [Fact]
    public async Task A_fan_out_too_large_to_serve_within_the_acquire_timeout_is_partly_rejected_and_stays_bounded()
    {
        // 1000 calls of 100 ms through 3 licences need about 33 s; a call waits at most 10 s for a licence.
        var answer = await GatherStatsAnswer.GetAsync(instance.Sample, "calls=1000");

        Assert.Equal(1000, answer.CallsRequested);
        Assert.Equal(1000, answer.Completed + answer.Rejected + answer.Failed);
        Assert.Equal(0, answer.Failed);
        Assert.True(answer.Completed > 0, answer.ToString());
        Assert.True(answer.Rejected > 0, answer.ToString());
        Assert.Equal(answer.Rejected, answer.ErrorCount("SemaphoreTimeoutException"));
        Assert.InRange(answer.InstanceMax, 1, Licences);
    }

    [Fact]
    public async Task Without_redis_the_single_instance_leads_and_its_licence_report_runs()
    {
        // In-memory leadership: the instance acquired at start-up (its log says so) and the leader-only job reports.
        await instance.Sample.WaitForLineAsync(l => l.Contains("Leadership 'gatherstats-leader' acquired by", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var answer = await GatherStatsAnswer.GetAsync(instance.Sample, "calls=3");
        var leadership = answer.Root.GetProperty("leadership");
        Assert.True(leadership.GetProperty("is_leader").GetBoolean(), answer.ToString());
        var token = leadership.GetProperty("fencing_token").GetInt64();
        Assert.True(token > 0, answer.ToString());

        // The report runs every second (appsettings.json): bounded wait for the first one of this term.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        LeadershipStatusAnswer status;
        while ((status = await LeadershipStatusAnswer.GetAsync(instance.Sample)).ReportsMade == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), status.ToString());
            await Task.Delay(100);
        }

        Assert.Equal(token, status.LastReport.GetProperty("fencing_token").GetInt64());
        Assert.Equal(Licences, status.LastReport.GetProperty("licences").GetInt32());
        var metrics = await instance.Sample.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("gatherstats_licences_in_use ", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_page_explains_the_endpoints()
    {
        using var response = await instance.Sample.Http.GetAsync(new Uri("/", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("GET /gather_stats?calls=N", text, StringComparison.Ordinal);
        Assert.Contains("THROTTLE_REDIS", text, StringComparison.Ordinal);
        Assert.Contains("(memory,", text, StringComparison.Ordinal);
    }
}
