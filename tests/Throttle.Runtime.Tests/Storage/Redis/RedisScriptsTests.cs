using System;
using System.Linq;
using System.Text.RegularExpressions;
using Throttle.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

public sealed class RedisScriptsTests
{
    [Fact]
    public void Every_script_binds_all_its_names_and_uses_only_declared_keys_and_arguments()
    {
        Assert.NotEmpty(RedisScripts.All);
        Assert.All(RedisScripts.All, script =>
        {
            Assert.DoesNotContain("@", script.Text, StringComparison.Ordinal);
            var keys = Regex.Matches(script.Text, @"KEYS\[(\d+)\]").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var args = Regex.Matches(script.Text, @"ARGV\[(\d+)\]").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.All(keys, k => Assert.InRange(k, 1, script.Keys.Count));
            Assert.All(args, a => Assert.InRange(a, 1, script.Args.Count));
            Assert.Equal(script.Keys.Count, keys.Distinct().Count()); // every declared key is used
        });
        Assert.Equal(RedisScripts.All.Length, RedisScripts.All.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void A_call_with_the_wrong_number_of_keys_or_arguments_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RedisScripts.TokenBucketAcquire.CheckArity(1, 2));
        Assert.Contains("token-bucket-acquire", error.Message, StringComparison.Ordinal);
        RedisScripts.TokenBucketAcquire.CheckArity(1, 3);
        RedisScripts.TokenBucketAcquire.CheckArity(1, 4); // the optional count of a coalesced batch
        Assert.Throws<InvalidOperationException>(() => RedisScripts.TokenBucketAcquire.CheckArity(1, 5));
        RedisScripts.TokenBucketAcquireEach.CheckArity(1, 3 + 63); // one tokens value per request
        Assert.Contains("3 or more", Assert.Throws<InvalidOperationException>(() => RedisScripts.TokenBucketAcquireEach.CheckArity(1, 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compacting_drops_comments_and_indentation_but_keeps_every_line_and_every_string()
    {
        const string source = "-- header\n  local a = 1 -- one\r\n\tif a then\n    return redis.call('GET', '--not-a-comment') -- kept: a quote precedes\n  end\n";
        var compact = RedisScript.Compact(source);
        Assert.Equal("\nlocal a = 1\nif a then\nreturn redis.call('GET', '--not-a-comment') -- kept: a quote precedes\nend\n", compact);
    }

    [Fact]
    public void Every_script_is_sent_without_comment_lines_or_indentation()
    {
        Assert.All(RedisScripts.All, script => Assert.All(script.Text.Split('\n'), line =>
        {
            Assert.False(line.StartsWith("--", StringComparison.Ordinal), $"{script.Name}: {line}");
            Assert.Equal(line.Trim(), line);
        }));
    }
}
