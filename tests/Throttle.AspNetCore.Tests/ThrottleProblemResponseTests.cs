using System;
using Xunit;

namespace Throttle.AspNetCore.Tests;

public sealed class ThrottleProblemResponseTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(-5_000_000, "0")]
    [InlineData(1, "1")] // one tick: a wait, so at least one second
    [InlineData(TimeSpan.TicksPerSecond, "1")]
    [InlineData(TimeSpan.TicksPerSecond + 1, "2")]
    [InlineData(1800 * TimeSpan.TicksPerSecond, "1800")]
    public void Waits_are_whole_seconds_rounded_up(long ticks, string expected)
    {
        Assert.Equal(expected, ThrottleProblemResponse.WholeSeconds(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void The_longest_wait_still_formats()
    {
        Assert.Equal(((TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ThrottleProblemResponse.WholeSeconds(TimeSpan.MaxValue));
    }
}
