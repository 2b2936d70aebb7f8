using System;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Throttle.Benchmarks.Harness;

/// <summary>
/// One library's side of a Redis row: its own connection (so its round trips can be counted from
/// <see cref="ConnectionMultiplexer.OperationCount"/>) and one operation, called by each worker in a loop.
/// </summary>
/// <param name="name">What the row calls it, e.g. "Throttle" or "RedisRateLimiting 1.2.1".</param>
/// <param name="connection">The connection the library under test uses, and only it.</param>
/// <param name="operation">One operation of worker <c>i</c>; the token is cancelled when the round ends (only waits use it).</param>
/// <param name="dispose">Frees what the participant holds, before its connection is closed.</param>
internal sealed class Participant(
    string name, ConnectionMultiplexer connection, Func<int, CancellationToken, ValueTask> operation, Func<ValueTask>? dispose = null) : IAsyncDisposable
{
    public string Name { get; } = name;

    public ConnectionMultiplexer Connection { get; } = connection;

    public Func<int, CancellationToken, ValueTask> Operation { get; } = operation;

    public async ValueTask DisposeAsync()
    {
        if (dispose is not null)
        {
            await dispose().ConfigureAwait(false);
        }

        await Connection.DisposeAsync().ConfigureAwait(false);
    }
}
