using System;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>The JSON of one GET /leader answer (snake_case, as a user sees it).</summary>
internal sealed class LeadershipStatusAnswer(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public string Instance => Root.GetProperty("instance").GetString()!;

    public bool IsLeader => Root.GetProperty("is_leader").GetBoolean();

    public long FencingToken => Root.GetProperty("fencing_token").GetInt64();

    public long ReportsMade => Root.GetProperty("reports_made").GetInt64();

    public JsonElement LastReport => Root.GetProperty("last_report");

    /// <summary>GET /leader, which must answer 200 with JSON.</summary>
    public static async Task<LeadershipStatusAnswer> GetAsync(SampleProcess sample)
    {
        using var response = await sample.Http.GetAsync(new Uri("/leader", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /leader: {(int)response.StatusCode} {body}\n{sample.Output}");
        using var document = JsonDocument.Parse(body);
        return new LeadershipStatusAnswer(document.RootElement.Clone());
    }

    public override string ToString() => Root.ToString();
}
