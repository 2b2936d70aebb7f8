using System;
using System.Linq;
using Throttle.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

/// <summary>The key layout without a server: escaping is one-to-one, refuses what it cannot make safe, and costs nothing for plain keys.</summary>
public sealed class RedisKeysTests
{
    private static readonly RedisKeys s_keys = new("p");

    [Fact]
    public void A_plain_part_is_used_as_is_without_a_copy()
    {
        var plain = "user-42.example_com";
        Assert.Same(plain, RedisKeys.Part(plain, "key"));
    }

    [Theory]
    [InlineData("a{b", "a%7Bb")]
    [InlineData("a}b", "a%7Db")]
    [InlineData("a%b", "a%25b")]
    [InlineData("a:b", "a%3Ab")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("nul\0", "nul%00")]
    [InlineData("del\u007F", "del%7F")]
    [InlineData("pair\uD83D\uDE00", "pair\uD83D\uDE00")]
    public void Special_characters_are_percent_encoded(string raw, string encoded) =>
        Assert.Equal(encoded, RedisKeys.Part(raw, "key"));

    [Fact]
    public void An_unpaired_surrogate_is_encoded_so_it_cannot_collapse_into_the_replacement_character()
    {
        // (Not in the theory above: test-case serialization itself would turn the surrogate into U+FFFD.)
        Assert.Equal("lone%uD800", RedisKeys.Part("lone\uD800", "key"));
        Assert.Equal("%uDC00x", RedisKeys.Part("\uDC00x", "key"));
    }

    [Fact]
    public void Values_that_differ_only_in_special_characters_never_share_a_key()
    {
        string[] values = ["a:b", "a%3Ab", "a%253Ab", "{a}", "%7Ba%7D", "a}", "a{", "a", "a\n", "a%0A", "a\0", "a\uD800", "a\uDC00", "a\uFFFD"];
        var limiter = values.Select(v => (string)RedisKeys.Limiter(s_keys.LimiterStart("s"), v, RedisKeys.TokenBucket)!).ToArray();
        var kv = values.Select(v => (string)s_keys.KeyValue(v)!).ToArray();
        var semaphore = values.Select(v => (string)s_keys.Semaphore("k", v).Holders!).ToArray();

        Assert.Equal(values.Length, limiter.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(values.Length, kv.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(values.Length, semaphore.Distinct(StringComparer.Ordinal).Count());
        Assert.All(limiter.Concat(kv).Concat(semaphore), key =>
        {
            // One hash tag, whole: Redis Cluster hashes on what is between the first '{' and the next '}'.
            Assert.Equal(1, key.Count(c => c == '{'));
            Assert.Equal(1, key.Count(c => c == '}'));
            Assert.DoesNotContain(key, char.IsControl);
        });
    }

    [Fact]
    public void Where_the_separator_falls_cannot_be_moved_by_user_input()
    {
        Assert.NotEqual(
            (string)RedisKeys.Limiter(s_keys.LimiterStart("a:b"), "c", RedisKeys.TokenBucket)!,
            (string)RedisKeys.Limiter(s_keys.LimiterStart("a"), "b:c", RedisKeys.TokenBucket)!);
        Assert.NotEqual((string)s_keys.Semaphore("a:b", "c").Holders!, (string)s_keys.Semaphore("a", "b:c").Holders!);
        Assert.NotEqual((string)s_keys.Semaphore("a:b", null).Holders!, (string)s_keys.Semaphore("a", "b").Holders!);
    }

    [Fact]
    public void Every_kind_of_key_starts_with_the_prefix_and_kinds_do_not_overlap()
    {
        Assert.Equal("p:{s:k}:tb3", (string)RedisKeys.Limiter(s_keys.LimiterStart("s"), "k", RedisKeys.TokenBucket)!);
        Assert.Equal("p:kv:{k}", (string)s_keys.KeyValue("k")!);
        Assert.Equal("p:sem:{k:part}:holders", (string)s_keys.Semaphore("k", "part").Holders!);
        Assert.Equal("p:sem:{k}:released", s_keys.Semaphore("k", null).ChannelName);
    }

    [Theory]
    [InlineData("key")]
    [InlineData("partition")]
    [InlineData("scope")]
    public void A_part_longer_than_the_bound_is_refused_naming_the_parameter(string paramName)
    {
        var megabyte = new string('x', 1 << 20);
        var error = Assert.Throws<ArgumentException>(() => paramName switch
        {
            "key" => s_keys.KeyValue(megabyte).ToString(),
            "partition" => s_keys.Semaphore("k", megabyte).ChannelName,
            _ => s_keys.LimiterStart(megabyte),
        });
        Assert.Equal(paramName, error.ParamName);
        Assert.Contains(RedisKeys.MaxPartLength.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);

        // At the bound exactly, the part is taken.
        var atBound = megabyte[..RedisKeys.MaxPartLength];
        Assert.Same(atBound, RedisKeys.Part(atBound, paramName));
    }

    [Fact]
    public void A_missing_part_is_refused_naming_the_parameter()
    {
        Assert.Equal("partition", Assert.Throws<ArgumentException>(() => s_keys.Semaphore("k", "")).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => s_keys.KeyValue(null!)).ParamName);
    }
}
