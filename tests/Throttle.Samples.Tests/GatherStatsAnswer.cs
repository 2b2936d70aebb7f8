using System;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>The JSON of one /gather_stats answer, read field by field (snake_case, as a user sees it).</summary>
internal sealed class GatherStatsAnswer(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public string Mode => Root.GetProperty("mode").GetString()!;

    public int Licences => Root.GetProperty("licences").GetInt32();

    public int CallsRequested => Root.GetProperty("calls_requested").GetInt32();

    public int Completed => Root.GetProperty("completed").GetInt32();

    public int Rejected => Root.GetProperty("rejected").GetInt32();

    public int Failed => Root.GetProperty("failed").GetInt32();

    public JsonElement Errors => Root.GetProperty("errors");

    public long InstanceMax => Root.GetProperty("max_concurrency").GetProperty("instance").GetInt64();

    public JsonElement ClusterMax => Root.GetProperty("max_concurrency").GetProperty("cluster");

    public double P50 => Root.GetProperty("latency_ms").GetProperty("p50").GetDouble();

    public double P95 => Root.GetProperty("latency_ms").GetProperty("p95").GetDouble();

    public double WaitTotal => Root.GetProperty("slot_wait_ms").GetProperty("total").GetDouble();

    public double WaitAvg => Root.GetProperty("slot_wait_ms").GetProperty("avg").GetDouble();

    public string BreakerState => Root.GetProperty("breaker_state").GetString()!;

    public DateTimeOffset StartedAt => Root.GetProperty("started_at").GetDateTimeOffset();

    public DateTimeOffset FinishedAt => Root.GetProperty("finished_at").GetDateTimeOffset();

    public int ErrorCount(string type) => Errors.TryGetProperty(type, out var count) ? count.GetInt32() : 0;

    /// <summary>GET /gather_stats?<paramref name="query"/>, which must answer 200 with JSON.</summary>
    public static async Task<GatherStatsAnswer> GetAsync(SampleProcess sample, string query)
    {
        using var response = await sample.Http.GetAsync(new Uri("/gather_stats?" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /gather_stats?{query}: {(int)response.StatusCode} {body}\n{sample.Output}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        return new GatherStatsAnswer(document.RootElement.Clone());
    }

    public override string ToString() => Root.ToString();
}
