using System;
using System.Globalization;
using Throttle.Infrastructure;
using Xunit;

namespace Throttle.Tests.Infrastructure;

public sealed class ThrottleKeyTests
{
    [Fact]
    public void String_PassesThroughSameReference()
    {
        var value = new string('a', 3) + "-tenant";
        Assert.Same(value, ThrottleKey.From(value, "tenant"));
    }

    [Theory]
    [InlineData(null, "request.TenantId", "request")]
    [InlineData("", "request.TenantId", "request")]
    [InlineData(null, "userId", "userId")]
    [InlineData("", "a.b.c", "a")]
    public void String_NullOrEmpty_ThrowsNamingTheParameter(string? value, string path, string expectedParam)
    {
        var ex = Assert.Throws<ArgumentException>(() => ThrottleKey.From(value, path));
        Assert.Equal(expectedParam, ex.ParamName);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_Null_ThrowsNamingTheParameter()
    {
        var ex = Assert.Throws<ArgumentException>(() => ThrottleKey.From<int?>(null, "order.CustomerId"));
        Assert.Equal("order", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => ThrottleKey.From<object?>(null, "key"));
        Assert.Equal("key", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => ThrottleKey.From(new EmptyToString(), "thing.Value"));
        Assert.Equal("thing", ex.ParamName);
    }

    [Fact]
    public void Generic_FormatsWithInvariantCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture)); // the culture really is different

            Assert.Equal("1.5", ThrottleKey.From(1.5, "x"));
            Assert.Equal("1234567", ThrottleKey.From(1234567, "x"));
            Assert.Equal("-42", ThrottleKey.From(-42L, "x"));
            Assert.Equal("7", ThrottleKey.From<int?>(7, "x"));
            Assert.Equal("2.25", ThrottleKey.From(2.25m, "x"));

            var guid = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");
            Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", ThrottleKey.From(guid, "x"));

            var date = new DateTime(2024, 3, 9, 14, 5, 6, DateTimeKind.Utc);
            Assert.Equal(date.ToString(CultureInfo.InvariantCulture), ThrottleKey.From(date, "x"));
            Assert.Equal("03/09/2024 14:05:06", ThrottleKey.From(date, "x"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Generic_NonFormattable_UsesToString()
    {
        Assert.Equal("custom:9", ThrottleKey.From(new Custom(9), "x"));
        Assert.Equal("Beta", ThrottleKey.From(Letter.Beta, "x"));
    }

    private enum Letter
    {
        Alpha,
        Beta,
    }

    private sealed class Custom(int value)
    {
        public override string ToString() => "custom:" + value.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class EmptyToString
    {
        public override string ToString() => string.Empty;
    }
}
