using System;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Prometheus;

namespace Throttle.Telemetry;

/// <summary>
/// The specification's stand-alone exporter: serves <c>http://{host}:{port}/metrics</c> in Prometheus' text format for
/// programs without ASP.NET Core (an ASP.NET Core app maps its own endpoint; see docs/metrics.md). It publishes the
/// runtime's <c>Throttle</c> meter (Throttle's instruments and <see cref="ThrottleMetrics"/>' own) and Polly's
/// <c>resilience.polly.*</c>, as prometheus-net collectors served by its <c>MetricServer</c>: nothing is formatted here.
/// Prometheus names follow OpenTelemetry's translation: <c>throttle.rate_limit.requests</c> is
/// <c>throttle_rate_limit_requests_total</c>, <c>throttle.rate_limit.wait.duration</c> (s) is
/// <c>throttle_rate_limit_wait_duration_seconds</c>.
/// </summary>
/// <example>
/// <code>
/// await using var exporter = new PrometheusExporter(port: 9090);
/// await exporter.StartAsync();
/// </code>
/// </example>
public sealed class PrometheusExporter : IAsyncDisposable, IDisposable
{
    /// <summary>The port of the specification's default: 9090.</summary>
    public const int DefaultPort = 9090;

    private const string PollyMeterName = "Polly";

    private readonly Meter _meter;
    private readonly object _gate = new();
    private IDisposable? _adapter;
    private IMetricServer? _server;
    private bool _disposed;

    /// <summary>Creates a stopped exporter of <paramref name="runtime"/>'s metrics on <paramref name="port"/>.</summary>
    /// <param name="port">The TCP port, 1 to 65535. Default 9090.</param>
    /// <param name="runtime">Whose metrics; default <see cref="ThrottleRuntime.Current"/>.</param>
    /// <param name="host">The host name to listen on: <c>+</c> (the default) for every address, or <c>127.0.0.1</c>, <c>localhost</c>, ...</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1 to 65535.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is null, empty or contains white space or '/'.</exception>
    public PrometheusExporter(int port = DefaultPort, ThrottleRuntime? runtime = null, string host = "+")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, IPEndPoint.MinPort + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (host.AsSpan().IndexOfAny(" \t/") >= 0)
        {
            throw new ArgumentException($"'{host}' is not a host name: use '+', an address or a name, without scheme, port or path.", nameof(host));
        }

        Port = port;
        Host = host;
        _meter = (runtime ?? ThrottleRuntime.Current).Telemetry.Meter;
    }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>The host name listened on.</summary>
    public string Host { get; }

    /// <summary>The address Prometheus scrapes: <c>http://{host}:{port}/metrics/</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"http://{Host}:{Port}/metrics/");

    /// <summary>Whether it is serving.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _server is not null;
            }
        }
    }

    /// <summary>Starts serving; calling it again while running does nothing.</summary>
    /// <param name="cancellationToken">Checked before starting.</param>
    /// <returns>Completes once the port is listened on.</returns>
    /// <exception cref="InvalidOperationException">The port is in use (or may not be listened on); the message names it.</exception>
    /// <exception cref="ObjectDisposedException">The exporter was disposed.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_server is not null)
            {
                return Task.CompletedTask;
            }

            var meter = _meter;
            var adapter = new PrometheusBridge(
                Metrics.NewCustomRegistry(),
                instrument => ReferenceEquals(instrument.Meter, meter) || instrument.Meter.Name == PollyMeterName);
            var server = new MetricServer(Host, Port, "metrics/", adapter.Registry);
            try
            {
                server.Start();
            }
            catch (HttpListenerException exception)
            {
                adapter.Dispose();
                server.Dispose();
                throw new InvalidOperationException(
                    $"The Prometheus exporter cannot listen on port {Port} ({Url}): {exception.Message}. The port is probably in use by another program; pass another port to PrometheusExporter.",
                    exception);
            }

            _adapter = adapter;
            _server = server;
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops serving and releases the port; it can be started again.</summary>
    /// <returns>Completes when the server has stopped.</returns>
    public async Task StopAsync()
    {
        IMetricServer? server;
        IDisposable? adapter;
        lock (_gate)
        {
            server = _server;
            adapter = _adapter;
            _server = null;
            _adapter = null;
        }

        adapter?.Dispose();
        if (server is not null)
        {
            await server.StopAsync().ConfigureAwait(false);
            server.Dispose();
        }
    }

    /// <summary>Stops serving.</summary>
    /// <returns>Completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops serving, blocking until the server has stopped.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
