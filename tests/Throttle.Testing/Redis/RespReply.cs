using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing.Redis;

/// <summary>
/// One reply of a Redis server, read by <see cref="SendAsync"/>: a raw RESP2 client for administering cluster nodes
/// (<c>CLUSTER NODES</c>, <c>CLUSTER FAILOVER</c>, <c>INFO</c>) one node at a time, with no client library in between, so
/// what it sees is the node's own view and never a cached topology.
/// </summary>
public sealed class RespReply
{
    private RespReply(string? text, long? number, IReadOnlyList<RespReply>? items, string? error)
    {
        Text = text;
        Number = number;
        Items = items;
        Error = error;
    }

    /// <summary>A simple or bulk string; <see langword="null"/> for other kinds and for a null bulk string.</summary>
    public string? Text { get; }

    /// <summary>An integer reply, else <see langword="null"/>.</summary>
    public long? Number { get; }

    /// <summary>An array reply's elements, else <see langword="null"/>.</summary>
    public IReadOnlyList<RespReply>? Items { get; }

    /// <summary>An error reply (such as <c>ERR ...</c>, <c>MOVED ...</c>), else <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/>, sends one command and reads its reply. Throws
    /// <see cref="IOException"/> or <see cref="SocketException"/> when the node does not answer, and
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<RespReply> SendAsync(int port, TimeSpan timeout, CancellationToken cancellationToken, params string[] command)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync("127.0.0.1", port, attempt.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(Encode(command), attempt.Token).ConfigureAwait(false);
            return await new Reader(stream).ReadAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"127.0.0.1:{port} did not answer {command[0]} within {timeout.TotalMilliseconds:0} ms.");
        }
    }

    /// <summary>The string reply, or an <see cref="InvalidOperationException"/> naming the error or the unexpected kind.</summary>
    public string ExpectText() =>
        Error is not null ? throw new InvalidOperationException("Redis answered " + Error)
        : Text ?? throw new InvalidOperationException("Redis answered no string.");

    /// <summary>The integer reply, or an <see cref="InvalidOperationException"/>.</summary>
    public long ExpectNumber() =>
        Error is not null ? throw new InvalidOperationException("Redis answered " + Error)
        : Number ?? throw new InvalidOperationException("Redis answered no integer.");

    /// <inheritdoc/>
    public override string ToString() =>
        Error is not null ? "-" + Error
        : Number is { } number ? number.ToString(CultureInfo.InvariantCulture)
        : Items is { } items ? "[" + string.Join(", ", items) + "]"
        : Text ?? "(nil)";

    private static byte[] Encode(string[] command)
    {
        var builder = new StringBuilder();
        builder.Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            builder.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private sealed class Reader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task<RespReply> ReadAsync(CancellationToken cancellationToken)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var body = line[1..];
            switch (line[0])
            {
                case '+':
                    return new RespReply(body, null, null, null);
                case '-':
                    return new RespReply(null, null, null, body);
                case ':':
                    return new RespReply(null, long.Parse(body, CultureInfo.InvariantCulture), null, null);
                case '$':
                    var length = int.Parse(body, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return new RespReply(null, null, null, null);
                    }

                    var bytes = await ReadExactlyAsync(length + 2, cancellationToken).ConfigureAwait(false);
                    return new RespReply(Encoding.UTF8.GetString(bytes, 0, length), null, null, null);
                case '*':
                    var count = int.Parse(body, CultureInfo.InvariantCulture);
                    var items = new List<RespReply>(Math.Max(count, 0));
                    for (var i = 0; i < count; i++)
                    {
                        items.Add(await ReadAsync(cancellationToken).ConfigureAwait(false));
                    }

                    return new RespReply(null, null, count < 0 ? null : items, null);
                default:
                    throw new IOException("Not a RESP reply: " + line);
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken).ConfigureAwait(false);
                }

                var b = _buffer[_start++];
                if (b == '\n' && line.Length > 0 && line[^1] == '\r')
                {
                    return line.ToString(0, line.Length - 1);
                }

                line.Append((char)b);
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var result = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken).ConfigureAwait(false);
                }

                var chunk = Math.Min(count - copied, _end - _start);
                Array.Copy(_buffer, _start, result, copied, chunk);
                _start += chunk;
                copied += chunk;
            }

            return result;
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (_end == 0)
            {
                throw new IOException("The Redis node closed the connection.");
            }
        }
    }
}
