using System;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing.Redis;

/// <summary>
/// Asks a Redis server for its process id (<c>INFO server</c>, raw RESP, no client library): tells a freshly started
/// server that is ready from one that is not listening yet, and from a foreign server that took its port first.
/// </summary>
internal static class RedisProcessIdProbe
{
    private static readonly byte[] s_request = "INFO server\r\n"u8.ToArray();

    /// <summary>
    /// The <c>process_id</c> of the server at <paramref name="host"/>:<paramref name="port"/>, or <see langword="null"/>
    /// when nothing answers within <paramref name="timeout"/>. Throws <see cref="OperationCanceledException"/> only for
    /// <paramref name="cancellationToken"/>.
    /// </summary>
    public static async Task<int?> TryGetAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(host, port, attempt.Token).ConfigureAwait(false);
            await socket.SendAsync(s_request, SocketFlags.None, attempt.Token).ConfigureAwait(false);
            return ParseProcessId(await ReadBulkStringAsync(socket, attempt.Token).ConfigureAwait(false));
        }
        catch (SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Reads one RESP reply; the payload of a bulk string, else the line itself (such as <c>-LOADING ...</c>).</summary>
    private static async Task<string> ReadBulkStringAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return received.ToString();
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var text = received.ToString();
            var headerEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (headerEnd < 0)
            {
                continue;
            }

            if (text[0] != '$' || !int.TryParse(text.AsSpan(1, headerEnd - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var length))
            {
                return text;
            }

            // INFO is ASCII, so characters count as bytes.
            if (text.Length >= headerEnd + 2 + length)
            {
                return text.Substring(headerEnd + 2, Math.Max(length, 0));
            }
        }
    }

    private static int? ParseProcessId(string info)
    {
        foreach (var line in info.Split("\r\n"))
        {
            if (line.StartsWith("process_id:", StringComparison.Ordinal) &&
                int.TryParse(line.AsSpan("process_id:".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var processId))
            {
                return processId;
            }
        }

        return null;
    }
}
