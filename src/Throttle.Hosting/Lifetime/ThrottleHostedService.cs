using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Throttle.Hosting.Configuration;
using Throttle.Queues;

namespace Throttle.Hosting.Lifetime;

/// <summary>
/// Runs the host's <see cref="ThrottleRuntime"/> with the host: starts its background work when the host starts
/// (<see cref="ThrottleRuntime.StartAsync"/>) and stops it once every other hosted service has stopped
/// (<see cref="StoppedAsync"/>, within the host's shutdown timeout), so calls queued by requests and background services
/// during their own shutdown are still drained. Waiting calls run, or fail with <see cref="QueueStoppedException"/> when
/// the timeout ends the drain or the mode is <see cref="QueueStopMode.HandBack"/>; none is lost or run twice.
/// </summary>
internal sealed partial class ThrottleHostedService(ThrottleRuntime runtime, IOptions<ThrottleHostOptions> options, ILogger<ThrottleHostedService>? logger = null)
    : IHostedLifecycleService
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => runtime.StartAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var mode = options.Value.ShutdownMode;
        var failed = await runtime.StopAsync(mode, cancellationToken).ConfigureAwait(false);
        if (failed > 0)
        {
            LogCallsFailed(_logger, failed, mode);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Throttle stopped its queues ({Mode}): {Failed} waiting calls did not run and failed with QueueStoppedException.")]
    private static partial void LogCallsFailed(ILogger logger, int failed, QueueStopMode mode);
}
