using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Throttle.Infrastructure;
using Throttle.Queues;

namespace Throttle.Benchmarks;

/// <summary>
/// Queue costs, each beside its baseline (one per category, in one run):
/// FIFO: items per second through <see cref="FifoWorkQueue{T}"/> with one producer and one worker, against a raw
/// bounded <see cref="Channel{T}"/> with one reader (goal: at least half its throughput);
/// Priority: one put + one take on <see cref="PriorityWorkQueue{T}"/>'s heap, against
/// <see cref="PriorityQueue{TElement, TPriority}"/> under a lock;
/// Queued: one <see cref="QueuedSite.EnqueueAsync{TState, TResult}"/> awaited to its result, against calling the
/// implementation directly.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class QueueBenchmarks
{
    private const int Items = 10_000;
    private const int HeapItems = 1_000;

    private static readonly Func<int, CancellationToken, ValueTask<int>> Implementation = static (x, _) => ValueTask.FromResult(x + 1);
    private static readonly QueuedSite Site = new("Throttle.Benchmarks.QueueBenchmarks.Implementation(int)", new Throttle.Policies.QueuedOptions { Workers = 1, MaxSize = 10_000 });

    private readonly object _heapLock = new();
    private readonly PriorityQueue<int, int> _bclHeap = new();
    private int[] _priorities = null!;

    private Channel<int> _channel = null!;
    private Task _channelReader = null!;
    private FifoWorkQueue<int> _fifo = null!;
    private PriorityWorkQueue<int> _heap = null!;
    private int _seen;
    private TaskCompletionSource _batchDone = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _priorities = new int[HeapItems];
        for (var i = 0; i < _priorities.Length; i++)
        {
            _priorities[i] = random.Next(100);
        }

        _channel = Channel.CreateBounded<int>(new BoundedChannelOptions(Items) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _channelReader = Task.Run(async () =>
        {
            var reader = _channel.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    Consume(item);
                }
            }
        });

        _fifo = new FifoWorkQueue<int>((item, _) =>
        {
            Consume(item);
            return default;
        }, workers: 1, maxSize: Items);
        _fifo.StartAsync().GetAwaiter().GetResult();

        _heap = new PriorityWorkQueue<int>(maxSize: HeapItems); // a pull queue: the benchmark takes itself

        // Create and start the site's queue on the current runtime before measuring.
        _ = Site.EnqueueAsync(1, Implementation, 0, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Writer.TryComplete();
        _channelReader.GetAwaiter().GetResult();
        _fifo.StopAsync().GetAwaiter().GetResult();
        ThrottleRuntime.Current.StopQueuesAsync().GetAwaiter().GetResult();
    }

    // ---- FIFO: one producer, one consumer; figures are per item (OperationsPerInvoke).

    [Benchmark(Baseline = true, OperationsPerInvoke = Items, Description = "Channel<int> bounded, 1 writer + 1 reader")]
    [BenchmarkCategory("FIFO")]
    public async Task Fifo_RawChannel()
    {
        var done = StartBatch();
        var writer = _channel.Writer;
        for (var i = 0; i < Items; i++)
        {
            await writer.WriteAsync(i).ConfigureAwait(false);
        }

        await done.ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Items, Description = "FifoWorkQueue<int>.PutAsync, 1 worker")]
    [BenchmarkCategory("FIFO")]
    public async Task Fifo_WorkQueue()
    {
        var done = StartBatch();
        for (var i = 0; i < Items; i++)
        {
            await _fifo.PutAsync(i).ConfigureAwait(false);
        }

        await done.ConfigureAwait(false);
    }

    // ---- Priority: put then take, per item.

    [Benchmark(Baseline = true, OperationsPerInvoke = HeapItems, Description = "PriorityQueue<int,int> under lock: Enqueue + Dequeue")]
    [BenchmarkCategory("Priority")]
    public int Priority_BclUnderLock()
    {
        var sum = 0;
        foreach (var priority in _priorities)
        {
            lock (_heapLock)
            {
                _bclHeap.Enqueue(priority, -priority); // higher first, as PriorityWorkQueue
            }
        }

        for (var i = 0; i < HeapItems; i++)
        {
            lock (_heapLock)
            {
                sum += _bclHeap.Dequeue();
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = HeapItems, Description = "PriorityWorkQueue<int>: TryPut + take")]
    [BenchmarkCategory("Priority")]
    public int Priority_WorkQueue()
    {
        var sum = 0;
        foreach (var priority in _priorities)
        {
            _heap.TryPut(priority, priority);
        }

        for (var i = 0; i < HeapItems; i++)
        {
            // The heap holds items, so the take completes synchronously.
            var take = _heap.TakeAsync();
            sum += take.IsCompletedSuccessfully ? take.Result : throw new InvalidOperationException("The heap was empty.");
        }

        return sum;
    }

    // ---- [Queued]: one call, awaited to its result.

    [Benchmark(Baseline = true, Description = "Implementation called directly")]
    [BenchmarkCategory("Queued")]
    public async ValueTask<int> Queued_Direct() => await Implementation(41, CancellationToken.None).ConfigureAwait(false);

    [Benchmark(Description = "QueuedSite.EnqueueAsync + await result")]
    [BenchmarkCategory("Queued")]
    public async ValueTask<int> Queued_Site() => await Site.EnqueueAsync(41, Implementation, 0, CancellationToken.None).ConfigureAwait(false);

    [Benchmark(Description = "[Queued] generated wrapper + await result")]
    [BenchmarkCategory("Queued")]
    public async ValueTask<int> Queued_Generated() => await QueuedService.Instance.RunAsync(41, CancellationToken.None).ConfigureAwait(false);

    private Task StartBatch()
    {
        _seen = 0;
        _batchDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _batchDone.Task;
    }

    private void Consume(int item)
    {
        _ = item;
        if (++_seen == Items)
        {
            _batchDone.SetResult();
        }
    }
}
