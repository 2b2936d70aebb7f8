using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Testing.Redis;

namespace Throttle.Testing.Prometheus;

/// <summary>
/// A real Prometheus server started for one test: scrapes one target every second (job <c>throttle</c>), and serves its
/// HTTP API on a loopback port of its own.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private PrometheusServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The port of Prometheus' HTTP API (on 127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>A client for Prometheus' HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>What prometheus wrote so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts prometheus scraping <paramref name="target"/> (<c>host:port</c>) at <paramref name="metricsPath"/> every
    /// second and waits until it is ready; fails (never skips) when the binary is missing.
    /// </summary>
    /// <param name="target">The scraped endpoint, such as <c>127.0.0.1:41234</c>.</param>
    /// <param name="metricsPath">The path scraped on it, such as <c>/metrics</c>; starts with <c>/</c>.</param>
    public static async Task<PrometheusServer> StartAsync(string target, string metricsPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricsPath);
        if (!metricsPath.StartsWith('/') || metricsPath.IndexOfAny(['\'', '\n', '\r', ' ']) >= 0)
        {
            throw new ArgumentException($"'{metricsPath}' is not a path such as /metrics.", nameof(metricsPath));
        }

        var binary = PrometheusAvailability.Require(PrometheusAvailability.Prometheus);
        var directory = Directory.CreateTempSubdirectory("throttle-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: throttle
                metrics_path: '{metricsPath}'
                static_configs:
                  - targets: ['{target}']
            """);
        var port = LoopbackPort.GetFree();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--config.file=" + config);
        start.ArgumentList.Add("--storage.tsdb.path=" + Path.Combine(directory, "data"));
        start.ArgumentList.Add("--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start.");
        var server = new PrometheusServer(process, directory, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync(); // no prometheus left running after a failed start
            throw;
        }
    }

    /// <summary>Polls an instant query until <paramref name="accept"/> takes its value (the scrape may not have happened yet).</summary>
    /// <param name="query">A PromQL query that gives one series.</param>
    /// <param name="accept">Whether a value is the one awaited.</param>
    /// <param name="patience">How long to poll before failing.</param>
    public async Task<double> QueryUntilAsync(string query, Func<double, bool> accept, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (await QuerySingleAsync(query) is { } value)
            {
                last = value;
                if (accept(value))
                {
                    return value;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Prometheus query {query} gave {last?.ToString(CultureInfo.InvariantCulture) ?? "no single series"} within {patience}. Prometheus said:\n{Output}");
    }

    /// <summary>
    /// The value of the single series <paramref name="selector"/> selects, from a sample Prometheus scraped after
    /// <paramref name="after"/>: polls until such a sample exists (one query checks the sample's timestamp and reads its
    /// value, so both are of the same scrape), for at most <paramref name="patience"/>.
    /// </summary>
    /// <param name="selector">A series selector, such as <c>up{job="throttle"}</c>.</param>
    /// <param name="after">A moment of this machine's clock; the sample's scrape started later.</param>
    /// <param name="patience">How long to wait for such a scrape before failing.</param>
    public async Task<double> QueryScrapedAfterAsync(string selector, DateTimeOffset after, TimeSpan patience)
    {
        var since = (after.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        var query = $"({selector}) and (timestamp({selector}) > {since})";
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await QuerySingleAsync(query) is { } value)
            {
                return value;
            }

            await Task.Delay(200);
        }

        var latest = await QuerySingleAsync(selector);
        var latestAt = await QuerySingleAsync($"timestamp({selector})");
        throw new TimeoutException(
            $"Prometheus scraped no single series {selector} after {after:O} within {patience}: the latest is " +
            $"{latest?.ToString(CultureInfo.InvariantCulture) ?? "none"} at {latestAt?.ToString(CultureInfo.InvariantCulture) ?? "-"}. Prometheus said:\n{Output}");
    }

    /// <summary>Stops prometheus and deletes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    // The value of an instant query that gives exactly one series, else null.
    private async Task<double?> QuerySingleAsync(string query)
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query)));
        var result = json.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 1
            ? double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)
            : null;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("prometheus did not become ready within 60 s:\n" + Output);
    }
}
