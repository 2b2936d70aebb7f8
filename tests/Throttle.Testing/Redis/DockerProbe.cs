using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing.Redis;

/// <summary>
/// Checks cheaply whether a Docker daemon answers, without loading Testcontainers (whose own discovery can be slow
/// when there is no daemon). Looks only at <c>DOCKER_HOST</c>, else the default socket <c>/var/run/docker.sock</c>.
/// </summary>
internal static class DockerProbe
{
    private const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>What is probed, for messages.</summary>
    public static string DescribeTarget() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? $"DOCKER_HOST={host}" : "unix://" + DefaultSocket;

    /// <summary>The endpoint of a daemon that answered <c>GET /_ping</c> within <paramref name="timeout"/>, else <see langword="null"/>.</summary>
    public static string? FindAnsweringEndpoint(TimeSpan timeout)
    {
        var target = ResolveTarget();
        if (target is null)
        {
            return null;
        }

        try
        {
            using var cancellation = new CancellationTokenSource(timeout);
            var answered = Task.Run(() => PingAsync(target.Value.EndPoint, target.Value.SpeaksPlainHttp, cancellation.Token))
                .GetAwaiter().GetResult();
            return answered ? target.Value.Description : null;
        }
        catch (Exception)
        {
            // Refused, timed out, not a Docker daemon, unresolvable host...: no Docker.
            return null;
        }
    }

    private static (EndPoint EndPoint, bool SpeaksPlainHttp, string Description)? ResolveTarget()
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(dockerHost))
        {
            // Docker Desktop on Windows listens on a named pipe; set DOCKER_HOST to probe something else.
            return !OperatingSystem.IsWindows() && File.Exists(DefaultSocket)
                ? (new UnixDomainSocketEndPoint(DefaultSocket), true, "unix://" + DefaultSocket)
                : null;
        }

        if (!Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri))
        {
            return null;
        }

        if (uri.Scheme == "unix")
        {
            return File.Exists(uri.AbsolutePath) ? (new UnixDomainSocketEndPoint(uri.AbsolutePath), true, dockerHost) : null;
        }

        if (uri.Scheme is "tcp" or "http" or "https")
        {
            // With TLS the HTTP ping cannot be spoken here; a TCP connection is taken as the answer.
            var tls = uri.Scheme == "https" || Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") is { Length: > 0 } ||
                uri.Port == 2376;
            return (new DnsEndPoint(uri.Host, uri.Port < 0 ? 2375 : uri.Port), !tls, dockerHost);
        }

        return null;
    }

    private static async Task<bool> PingAsync(EndPoint endPoint, bool speaksPlainHttp, CancellationToken cancellationToken)
    {
        using var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        if (!speaksPlainHttp)
        {
            return true;
        }

        var request = Encoding.ASCII.GetBytes("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[256];
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var status = Encoding.ASCII.GetString(buffer, 0, read);
        return status.StartsWith("HTTP/1.", StringComparison.Ordinal) && status.Contains(" 200 ", StringComparison.Ordinal);
    }
}
