using System;
using System.Collections.Generic;
using Throttle.Queues;
using Xunit;

namespace Throttle.Tests.Queues;

/// <summary>What a dedupe queue compares without a key function: the item's value, never its text or its reference.</summary>
public sealed class DedupeKeyTests
{
    private enum Color
    {
        Red,
        Green,
    }

    private sealed record Order(int Id, string Customer);

    /// <summary>No ToString of its own: every instance's text is the type name, which the old default key compared.</summary>
    private sealed class Job(int id)
    {
        public int Id { get; } = id;
    }

    /// <summary>Equality by Id, overriding Equals and GetHashCode (no IEquatable).</summary>
    private sealed class Ticket(int id)
    {
        public int Id { get; } = id;

        public override bool Equals(object? obj) => obj is Ticket other && other.Id == Id;

        public override int GetHashCode() => Id;
    }

    private interface IMessage
    {
        int Id { get; }
    }

    private sealed record Message(int Id) : IMessage;

    private sealed class IdComparer : IEqualityComparer<Job>
    {
        public bool Equals(Job? x, Job? y) => x?.Id == y?.Id;

        public int GetHashCode(Job obj) => obj.Id;
    }

    [Fact]
    public void Records_AreComparedByValue()
    {
        var queue = new DedupeWorkQueue<Order>();
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(new Order(1, "ann")));
        Assert.Equal(DedupeResult.Duplicate, queue.TryPut(new Order(1, "ann")));
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(new Order(1, "bob")));
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(new Order(2, "ann")));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public void ClassesThatOverrideEquals_AreComparedByTheirEquals()
    {
        var queue = new DedupeWorkQueue<Ticket>((_, _) => default);
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(new Ticket(1)));
        Assert.Equal(DedupeResult.Duplicate, queue.TryPut(new Ticket(1)));
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(new Ticket(2)));
    }

    [Fact]
    public void Strings_Primitives_AndEnums_AreComparedByValue()
    {
        var strings = new DedupeWorkQueue<string>();
        Assert.Equal(DedupeResult.Accepted, strings.TryPut("a"));
        Assert.Equal(DedupeResult.Duplicate, strings.TryPut(new string('a', 1)));
        Assert.Equal(DedupeResult.Accepted, strings.TryPut("A")); // ordinal: case matters

        var doubles = new DedupeWorkQueue<double>();
        Assert.Equal(DedupeResult.Accepted, doubles.TryPut(0.1));
        Assert.Equal(DedupeResult.Duplicate, doubles.TryPut(0.1));
        Assert.Equal(DedupeResult.Accepted, doubles.TryPut(0.2));

        var colors = new DedupeWorkQueue<Color>();
        Assert.Equal(DedupeResult.Accepted, colors.TryPut(Color.Red));
        Assert.Equal(DedupeResult.Duplicate, colors.TryPut(Color.Red));
        Assert.Equal(DedupeResult.Accepted, colors.TryPut(Color.Green));

        var tuples = new DedupeWorkQueue<(int, string)>();
        Assert.Equal(DedupeResult.Accepted, tuples.TryPut((1, "x")));
        Assert.Equal(DedupeResult.Duplicate, tuples.TryPut((1, "x")));
    }

    [Fact]
    public void AClassWithReferenceEqualityOnly_IsRefused_WithAnErrorThatAsksForAKeyFnOrAComparer()
    {
        var pushError = Assert.Throws<ArgumentException>(() => new DedupeWorkQueue<Job>((_, _) => default));
        var pullError = Assert.Throws<ArgumentException>(() => new DedupeWorkQueue<Job>());

        foreach (var error in new[] { pushError, pullError })
        {
            Assert.Equal("keyFn", error.ParamName);
            Assert.Contains(typeof(Job).ToString(), error.Message, StringComparison.Ordinal);
            Assert.Contains("reference equality", error.Message, StringComparison.Ordinal);
            Assert.Contains("keyFn", error.Message, StringComparison.Ordinal);
            Assert.Contains("comparer", error.Message, StringComparison.Ordinal);
        }

        // Interfaces and object say nothing about the items' own types: refused too, until the caller chooses.
        Assert.Equal("keyFn", Assert.Throws<ArgumentException>(() => new DedupeWorkQueue<IMessage>()).ParamName);
        Assert.Equal("keyFn", Assert.Throws<ArgumentException>(() => new DedupeWorkQueue<object>()).ParamName);
    }

    [Fact]
    public void AKeyFn_OrAComparer_MakesAnyTypeUsable_AndDistinctItemsAreNeverDropped()
    {
        var byKey = new DedupeWorkQueue<Job>(keyFn: job => job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DedupeResult.Accepted, byKey.TryPut(new Job(1)));
        Assert.Equal(DedupeResult.Accepted, byKey.TryPut(new Job(2))); // the old default (ToString) called this a duplicate
        Assert.Equal(DedupeResult.Duplicate, byKey.TryPut(new Job(1)));

        var byComparer = new DedupeWorkQueue<Job>(comparer: new IdComparer());
        Assert.Equal(DedupeResult.Accepted, byComparer.TryPut(new Job(1)));
        Assert.Equal(DedupeResult.Accepted, byComparer.TryPut(new Job(2)));
        Assert.Equal(DedupeResult.Duplicate, byComparer.TryPut(new Job(1)));

        var byRuntimeType = new DedupeWorkQueue<IMessage>(comparer: EqualityComparer<IMessage>.Default);
        Assert.Equal(DedupeResult.Accepted, byRuntimeType.TryPut(new Message(1)));
        Assert.Equal(DedupeResult.Duplicate, byRuntimeType.TryPut(new Message(1)));
        Assert.Equal(DedupeResult.Accepted, byRuntimeType.TryPut(new Message(2)));
    }

    [Fact]
    public void AKeyFnAndAComparerTogether_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new DedupeWorkQueue<Job>(keyFn: j => "k", comparer: new IdComparer()));
        Assert.Equal("comparer", error.ParamName);
    }
}
