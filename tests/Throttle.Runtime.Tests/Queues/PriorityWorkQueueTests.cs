using System;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;

namespace Throttle.Tests.Queues;

public sealed class PriorityWorkQueueTests
{
    [Fact]
    public async Task HigherPriorityRunsFirst_EqualPrioritiesInPutOrder()
    {
        var seen = new Recorder<string>();
        var queue = new PriorityWorkQueue<string>(seen.Record);
        await queue.PutAsync("a1", 1);
        await queue.PutAsync("b5", 5);
        await queue.PutAsync("c1", 1);
        await queue.PutAsync("d5", 5);
        Assert.True(queue.TryPut("e3", 3));
        await queue.PutAsync("f-2", -2);
        Assert.Equal(6, queue.Count);

        await queue.StartAsync();

        Assert.Equal(new[] { "b5", "d5", "e3", "a1", "c1", "f-2" }, await seen.NextAsync(6));
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task PriorityFn_AppliesWhenThePutGivesNone()
    {
        var seen = new Recorder<int>();
        var queue = new PriorityWorkQueue<int>(seen.Record, priorityFn: static i => i % 10);
        await queue.PutAsync(11);
        await queue.PutAsync(19);
        await queue.PutAsync(15);
        await queue.PutAsync(12, priority: 100); // explicit priority wins over the function

        await queue.StartAsync();

        Assert.Equal(new[] { 12, 19, 15, 11 }, await seen.NextAsync(4));
        await queue.StopAsync().Safe();
    }

    [Fact]
    public void TryPut_WhenFull_ReturnsFalse()
    {
        var queue = new PriorityWorkQueue<int>((_, _) => default, maxSize: 2);
        Assert.True(queue.TryPut(1));
        Assert.True(queue.TryPut(2, 9));
        Assert.False(queue.TryPut(3));
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public async Task PutAsync_WhenFull_WaitsForRoom_AndIsCancellable()
    {
        var queue = new PriorityWorkQueue<int>((_, _) => default, maxSize: 1);
        await queue.PutAsync(1);
        using var cts = new CancellationTokenSource();
        var waiting = queue.PutAsync(2, cancellationToken: cts.Token);
        Assert.False(waiting.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Safe());
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task PutAsync_WhenFull_CompletesOnceAWorkerMakesRoom()
    {
        var seen = new Recorder<int>();
        var queue = new PriorityWorkQueue<int>(seen.Record, maxSize: 1);
        await queue.PutAsync(1);
        var waiting = queue.PutAsync(2);
        Assert.False(waiting.IsCompleted);

        await queue.StartAsync();

        await waiting.Safe();
        Assert.Equal(new[] { 1, 2 }, await seen.NextAsync(2));
        await queue.StopAsync().Safe();
    }

    [Fact]
    public async Task HandlerException_IsReported_AndTheWorkerGoesOn()
    {
        var seen = new Recorder<int>();
        var failed = new TaskCompletionSource<WorkFailedEventArgs<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new PriorityWorkQueue<int>((i, ct) => i == 1 ? throw new InvalidOperationException("boom") : seen.Add(i));
        queue.ItemFailed += (_, e) => failed.TrySetResult(e);
        await queue.PutAsync(1, 10);
        await queue.PutAsync(2, 5);

        await queue.StartAsync();

        var failure = await failed.Task.Safe();
        Assert.Equal(new[] { 1 }, failure.Items);
        Assert.Equal("boom", failure.Exception.Message);
        Assert.Equal(new[] { 2 }, await seen.NextAsync(1));
        await queue.StopAsync().Safe();
        Assert.Equal(1, queue.FailedCount);
        Assert.Equal(1, queue.ProcessedCount);
    }

    [Fact]
    public void BadArguments_NameTheParameter()
    {
        Func<int, CancellationToken, ValueTask> ok = (_, _) => default;
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new PriorityWorkQueue<int>(null!)).ParamName);
        Assert.Equal("workers", Assert.Throws<ArgumentOutOfRangeException>(() => new PriorityWorkQueue<int>(ok, workers: 0)).ParamName);
        Assert.Equal("maxSize", Assert.Throws<ArgumentOutOfRangeException>(() => new PriorityWorkQueue<int>(ok, maxSize: 0)).ParamName);
        var queue = new PriorityWorkQueue<string>((_, _) => default);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => queue.TryPut(null!)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => queue.PutAsync(null!, 1)).ParamName);
    }
}
