using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Throttle.Workers;

namespace Throttle.Hosting;

/// <summary>
/// Runs one host-owned <see cref="WorkerPool"/> with the host: creates it on start (so its workers start then, not at
/// the first submission), tracks it on the runtime's meter, and drains it on stop within the shutdown token.
/// </summary>
internal sealed partial class WorkerPoolLifetime(string name, IServiceProvider services, ThrottleRuntime runtime, ILogger? logger) : IHostedService
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private WorkerPool? _pool;
    private IDisposable? _tracking;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _pool = services.GetRequiredKeyedService<WorkerPool>(name);
        _tracking = runtime.Metrics.Track(_pool, name);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_pool is not { } pool)
        {
            return;
        }

        // Disposing runs every task submitted so far, then stops the workers; the shutdown timeout bounds the wait.
        var stopped = pool.DisposeAsync().AsTask();
        try
        {
            await stopped.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogNotDrained(_logger, name, pool.QueueLength);

            // It goes on in the background: observe its end, whatever it is.
            _ = stopped.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        finally
        {
            _tracking?.Dispose();
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The shutdown timeout ended the drain of worker pool '{Name}': {Waiting} submitted tasks had not started; they and the running ones go on until the process exits.")]
    private static partial void LogNotDrained(ILogger logger, string name, int waiting);
}
