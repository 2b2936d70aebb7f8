using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;
using Throttle.Testing.Prometheus;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>
/// A real Prometheus server scrapes the sample's /metrics: after a /gather_stats call, the values Prometheus holds are
/// the ones the sample's exposition and its JSON answers report.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private const string Job = "throttle";
    private const string RateLimiter = "upstream"; // Throttle:Limiters in the sample's appsettings.json
    private const string Licences = "upstream-licences"; // Throttle:Semaphores
    private const string Pipeline = "Throttle.Samples.GatherStats.UpstreamClient.CallAsync";
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    [PrometheusFact]
    public async Task Prometheus_scrapes_the_values_the_sample_reports_after_a_gather_stats_call()
    {
        // A fresh process: its counters hold this test's calls only.
        await using var sample = await SampleProcess.StartAsync();
        await using var prometheus = await PrometheusServer.StartAsync(sample.BaseAddress.Authority, "/metrics");
        await WaitForLeaderReportAsync(sample, after: DateTimeOffset.MinValue);

        var answer = await GatherStatsAnswer.GetAsync(sample, "calls=12");
        Assert.Equal(12, answer.Completed);

        // The next licence report comes after the call, so the gauges no longer move; then the exposition is final.
        var report = await WaitForLeaderReportAsync(sample, after: answer.FinishedAt);
        var exposition = await sample.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var read = DateTimeOffset.UtcNow;

        var (exitCode, lint) = await PromTool.CheckMetricsAsync(exposition);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{lint}\n--- exposition ---\n{exposition}");

        // What the sample reports: its exposition agrees with /gather_stats and /leader.
        var acquired = PrometheusExposition.Value(exposition, "throttle_rate_limit_requests_total",
            ("throttle_rate_limit_limiter", RateLimiter), ("throttle_rate_limit_result", "acquired"));
        var leases = PrometheusExposition.Value(exposition, "throttle_semaphore_acquire_duration_seconds_count",
            ("throttle_semaphore_name", Licences), ("throttle_semaphore_result", "acquired"));
        var leaseWait = PrometheusExposition.Value(exposition, "throttle_semaphore_acquire_duration_seconds_sum",
            ("throttle_semaphore_name", Licences), ("throttle_semaphore_result", "acquired"));
        var held = PrometheusExposition.Value(exposition, "throttle_semaphore_leases", ("throttle_semaphore_name", Licences));
        var executions = PrometheusExposition.Value(exposition, "resilience_polly_strategy_events_total",
            ("event_name", "PipelineExecuting"), ("pipeline_name", Pipeline));
        var inUse = PrometheusExposition.Value(exposition, "gatherstats_licences_in_use");
        var leaderToken = PrometheusExposition.Value(exposition, "gatherstats_licences_leader_token");
        Assert.Equal(answer.Completed, acquired);
        Assert.Equal(answer.Completed, leases);
        Assert.True(leaseWait > 0, exposition); // 12 calls through 3 licences: most waited
        Assert.Equal(0, held);
        Assert.Equal(answer.CallsRequested, executions);
        Assert.Equal(report.LastReport.GetProperty("in_use").GetInt64(), inUse);
        Assert.Equal(answer.Root.GetProperty("leadership").GetProperty("fencing_token").GetInt64(), leaderToken);

        // What Prometheus holds, from a scrape that started after the exposition was read.
        Assert.Equal(1, await prometheus.QueryScrapedAfterAsync($"up{{job=\"{Job}\"}}", read, s_patience));
        Assert.Equal(acquired, await Scraped(prometheus, read,
            $"throttle_rate_limit_requests_total{{job=\"{Job}\",throttle_rate_limit_limiter=\"{RateLimiter}\",throttle_rate_limit_result=\"acquired\"}}"));
        Assert.Equal(leases, await Scraped(prometheus, read,
            $"throttle_semaphore_acquire_duration_seconds_count{{job=\"{Job}\",throttle_semaphore_name=\"{Licences}\",throttle_semaphore_result=\"acquired\"}}"));
        Assert.Equal(leaseWait, await Scraped(prometheus, read,
            $"throttle_semaphore_acquire_duration_seconds_sum{{job=\"{Job}\",throttle_semaphore_name=\"{Licences}\",throttle_semaphore_result=\"acquired\"}}"));
        Assert.Equal(held, await Scraped(prometheus, read,
            $"throttle_semaphore_leases{{job=\"{Job}\",throttle_semaphore_name=\"{Licences}\"}}"));
        Assert.Equal(executions, await Scraped(prometheus, read,
            $"resilience_polly_strategy_events_total{{job=\"{Job}\",event_name=\"PipelineExecuting\",pipeline_name=\"{Pipeline}\"}}"));
        Assert.Equal(inUse, await Scraped(prometheus, read, $"gatherstats_licences_in_use{{job=\"{Job}\"}}"));
        Assert.Equal(leaderToken, await Scraped(prometheus, read, $"gatherstats_licences_leader_token{{job=\"{Job}\"}}"));
    }

    private static Task<double> Scraped(PrometheusServer prometheus, DateTimeOffset after, string selector) =>
        prometheus.QueryScrapedAfterAsync(selector, after, s_patience);

    // Bounded poll of /leader for a licence report made after `after` (one a second, appsettings.json).
    private static async Task<LeadershipStatusAnswer> WaitForLeaderReportAsync(SampleProcess sample, DateTimeOffset after)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var status = await LeadershipStatusAnswer.GetAsync(sample);
            if (status.ReportsMade > 0 && status.LastReport.GetProperty("at").GetDateTimeOffset() > after)
            {
                return status;
            }

            Assert.True(waited.Elapsed < s_patience,
                $"No licence report after {after.ToString("O", CultureInfo.InvariantCulture)} within {s_patience}: {status}\n{sample.Output}");
            await Task.Delay(100);
        }
    }
}
