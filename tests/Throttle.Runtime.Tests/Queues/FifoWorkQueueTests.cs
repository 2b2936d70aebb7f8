using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Queues;
using Xunit;

namespace Throttle.Tests.Queues;

public sealed class FifoWorkQueueTests
{
    [Fact]
    public async Task OneWorker_RunsItemsInPutOrder()
    {
        var seen = new Recorder<int>();
        var queue = new FifoWorkQueue<int>(seen.Record);
        await queue.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            await queue.PutAsync(i);
        }

        Assert.Equal(Enumerable.Range(0, 100), await seen.NextAsync(100));
        await queue.StopAsync().Safe();
        Assert.Equal(100, queue.ProcessedCount);
    }

    [Fact]
    public async Task MaxSize_TryPutFails_PutAsyncWaitsAndIsCancellable()
    {
        var queue = new FifoWorkQueue<int>((_, _) => default, maxSize: 2);
        Assert.True(queue.TryPut(1));
        await queue.PutAsync(2);
        Assert.False(queue.TryPut(3));
        using var cts = new CancellationTokenSource();
        var waiting = queue.PutAsync(3, cts.Token);
        Assert.False(waiting.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Safe());
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void BadArguments_NameTheParameter()
    {
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new FifoWorkQueue<int>(null!)).ParamName);
        Assert.Equal("workers", Assert.Throws<ArgumentOutOfRangeException>(() => new FifoWorkQueue<int>((_, _) => default, workers: -1)).ParamName);
        Assert.Equal("maxSize", Assert.Throws<ArgumentOutOfRangeException>(() => new FifoWorkQueue<int>((_, _) => default, maxSize: 0)).ParamName);
        var queue = new FifoWorkQueue<string>((_, _) => default);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => queue.TryPut(null!)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => queue.PutAsync(null!)).ParamName);
    }
}
