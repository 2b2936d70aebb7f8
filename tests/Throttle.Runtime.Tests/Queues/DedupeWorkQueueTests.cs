using System;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;
using Throttle.Testing;

namespace Throttle.Tests.Queues;

public sealed class DedupeWorkQueueTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(300);

    [Fact]
    public async Task SameKeyWithinTheTtl_IsRejected_AfterTheTtl_IsAccepted()
    {
        var clock = new TestClock();
        var seen = new Recorder<string>();
        var queue = new DedupeWorkQueue<string>(seen.Record, ttl: Ttl, keyFn: s => s.Split(':')[0], timeProvider: clock);

        Assert.Equal(DedupeResult.Accepted, await queue.PutAsync("order-1:first"));
        Assert.Equal(DedupeResult.Duplicate, await queue.PutAsync("order-1:second"));
        Assert.Equal(DedupeResult.Accepted, queue.TryPut("order-2:first"));
        clock.Advance(Ttl - TimeSpan.FromTicks(1));
        Assert.Equal(DedupeResult.Duplicate, queue.TryPut("order-1:third"));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(DedupeResult.Accepted, await queue.PutAsync("order-1:fourth"));
        Assert.Equal(2, queue.DuplicateCount);

        await queue.StartAsync();
        Assert.Equal(new[] { "order-1:first", "order-2:first", "order-1:fourth" }, await seen.NextAsync(3));
        await queue.StopAsync().Safe();
    }

    [Fact]
    public void DefaultKey_IsTheItemsValue()
    {
        var queue = new DedupeWorkQueue<int>((_, _) => default);
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(42));
        Assert.Equal(DedupeResult.Duplicate, queue.TryPut(42));
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(43));
        Assert.Equal(DedupeWorkQueue<int>.DefaultTtl, queue.Ttl);
    }

    [Fact]
    public async Task APutThatIsNotQueued_DoesNotRecordItsKey()
    {
        var queue = new DedupeWorkQueue<int>((_, _) => default, maxSize: 1);
        Assert.Equal(DedupeResult.Accepted, queue.TryPut(1));
        Assert.Equal(DedupeResult.Full, queue.TryPut(2));
        using var cts = new System.Threading.CancellationTokenSource();
        var waiting = queue.PutAsync(3, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Safe());

        Assert.Equal(new[] { 1 }, await queue.StopAsync(QueueStopMode.HandBack).Safe());

        // Neither 2 nor 3 was recorded: a fresh queue would accept them; this one only refuses because it stopped.
        Assert.Throws<QueueStoppedException>(() => queue.TryPut(2));
        Assert.Throws<QueueStoppedException>(() => queue.TryPut(3));
        Assert.Equal(0, queue.DuplicateCount);
    }

    [Fact]
    public void BadArguments_NameTheParameter()
    {
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new DedupeWorkQueue<int>(null!)).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => new DedupeWorkQueue<int>((_, _) => default, ttl: TimeSpan.Zero)).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => new DedupeWorkQueue<int>((_, _) => default, ttl: System.Threading.Timeout.InfiniteTimeSpan)).ParamName);
        Assert.Equal("workers", Assert.Throws<ArgumentOutOfRangeException>(() => new DedupeWorkQueue<int>((_, _) => default, workers: 0)).ParamName);
        Assert.Equal("maxSize", Assert.Throws<ArgumentOutOfRangeException>(() => new DedupeWorkQueue<int>((_, _) => default, maxSize: 0)).ParamName);
        var queue = new DedupeWorkQueue<string>((_, _) => default, keyFn: _ => null!);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => queue.TryPut(null!)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => queue.TryPut("x")).ParamName);
    }
}
