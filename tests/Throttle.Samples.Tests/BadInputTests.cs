using System;
using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Samples.Tests;

/// <summary>Bad query strings get a 400 with a JSON error, never a crash or an unbounded fan-out.</summary>
public sealed class BadInputTests(MemoryInstanceFixture instance) : IClassFixture<MemoryInstanceFixture>
{
    [Theory]
    [InlineData("", "calls is required")]
    [InlineData("calls=", "calls is required")]
    [InlineData("calls=0", "calls=0 is not positive")]
    [InlineData("calls=-5", "calls=-5 is not positive")]
    [InlineData("calls=abc", "calls=abc is not a number")]
    [InlineData("calls=2.5", "calls=2.5 is not a number")]
    [InlineData("calls=1001", "above the cap of 1000")]
    [InlineData("calls=2147483648", "above the cap of 1000")]
    [InlineData("calls=99999999999999999999999", "is too large")]
    [InlineData("calls=1&calls=2", "more than once")]
    [InlineData("fail=0.5", "calls is required")]
    [InlineData("calls=5&fail=1.5", "fail=1.5 is not a probability")]
    [InlineData("calls=5&fail=-0.1", "fail=-0.1 is not a probability")]
    [InlineData("calls=5&fail=NaN", "fail=NaN is not a probability")]
    [InlineData("calls=5&fail=", "is not a probability")]
    public async Task Is_rejected_with_400_and_a_json_error(string query, string expected)
    {
        using var response = await instance.Sample.Http.GetAsync(new Uri("/gather_stats?" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var error = json.RootElement.GetProperty("error").GetString();
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (query.StartsWith("calls=", StringComparison.Ordinal) && !query.Contains("fail", StringComparison.Ordinal))
        {
            Assert.Contains("from 1 to 1000", error, StringComparison.Ordinal); // every calls error states the accepted range and cap
        }
    }

    [Fact]
    public async Task The_service_keeps_serving_after_bad_input()
    {
        using (var bad = await instance.Sample.Http.GetAsync(new Uri("/gather_stats?calls=1000000", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var answer = await GatherStatsAnswer.GetAsync(instance.Sample, "calls=2");
        Assert.Equal(2, answer.Completed);
    }
}
