using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace Throttle.Testing.Redis;

/// <summary>
/// A Redis server for tests: its endpoint and how to connect to it. <see cref="GetSharedAsync"/> gives the one server
/// the whole test process shares; <see cref="StartDedicatedAsync"/> starts one a test owns and may restart.
/// </summary>
/// <remarks>
/// The shared server comes from, in order: <c>THROTTLE_REDIS</c> (host:port, used as-is), a Testcontainers.Redis
/// container when a Docker daemon answers, a <c>redis-server</c> child process on a free loopback port. A server this
/// process started is stopped when the process exits. Tests share it, so each test keeps to its own keys
/// (<see cref="KeyPrefix"/>) and never flushes the database.
/// </remarks>
public class RedisServer
{
    private static readonly TimeSpan s_processStartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_containerStartTimeout = TimeSpan.FromMinutes(3);

    private static readonly Lazy<Task<RedisServer>> s_shared =
        new(() => Task.Run(ResolveSharedAsync), LazyThreadSafetyMode.ExecutionAndPublication);

    private protected RedisServer(string endpoint, RedisServerKind kind, string description)
    {
        Endpoint = endpoint;
        Kind = kind;
        Description = description;
    }

    /// <summary>host:port of the server.</summary>
    public string Endpoint { get; }

    /// <summary>Where the server comes from.</summary>
    public RedisServerKind Kind { get; }

    /// <summary>What the server is and where it runs, for test output.</summary>
    public string Description { get; }

    /// <summary>
    /// The process-wide shared server, resolved and (if need be) started on first use. Throws
    /// <see cref="RedisUnavailableException"/> when no Redis can be had, and a clear error when one was found but failed
    /// to start or answer; the outcome is cached for the process.
    /// </summary>
    public static Task<RedisServer> GetSharedAsync() => s_shared.Value;

    /// <summary>
    /// Starts a server owned by the caller, in its own process (or container) on its own port, that can be stopped and
    /// started again on the same port. Dispose it at the end of the test. Needs Docker or <c>redis-server</c>; a
    /// <c>THROTTLE_REDIS</c> server is never used for this. Throws <see cref="RedisUnavailableException"/> when neither is there.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<DedicatedRedisServer> StartDedicatedAsync(CancellationToken cancellationToken = default)
    {
        RedisAvailability.ThrowIfUnavailable(dedicatedServer: true);
        var (host, description) = await StartHostAsync(dedicated: true, cancellationToken).ConfigureAwait(false);
        return new DedicatedRedisServer(host, "dedicated " + description);
    }

    /// <summary>
    /// A key prefix unique to one test (and to this call), such as <c>throttle-test:MyTest:3f2a9c1be04d:</c>, so tests can
    /// share a server and run in parallel without seeing each other's keys.
    /// </summary>
    /// <param name="testName">A readable name, usually the test method's.</param>
    public static string KeyPrefix(string testName)
    {
        ArgumentNullException.ThrowIfNull(testName);
        var name = new StringBuilder(Math.Min(testName.Length, 64));
        foreach (var character in testName)
        {
            if (name.Length == 64)
            {
                break;
            }

            name.Append(char.IsWhiteSpace(character) || character is ':' or '{' or '}' ? '_' : character);
        }

        return $"throttle-test:{name}:{Guid.NewGuid().ToString("N")[..12]}:";
    }

    /// <summary>
    /// Connection options for this server, made for tests: 2 s connect timeout, 5 s command timeouts,
    /// <c>AbortOnConnectFail = false</c> (a connection that starts while the server is down keeps retrying), and
    /// reconnects every 250 ms. A new instance on each call, free to change.
    /// </summary>
    public ConfigurationOptions CreateOptions()
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = 2_000,
            ConnectRetry = 3,
            SyncTimeout = 5_000,
            AsyncTimeout = 5_000,
            ReconnectRetryPolicy = new LinearRetry(250),
            ClientName = "throttle-tests",
        };
        options.EndPoints.Add(Endpoint);
        return options;
    }

    /// <summary>Opens a connection with <see cref="CreateOptions"/>, after <paramref name="configure"/> has adjusted them. The caller disposes it.</summary>
    /// <param name="configure">Changes to the options, or <see langword="null"/>.</param>
    public Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = CreateOptions();
        configure?.Invoke(options);
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    private static async Task<RedisServer> ResolveSharedAsync()
    {
        var external = RedisAvailability.ExternalEndpoint;
        if (external is not null)
        {
            await EnsureExternalAnswersAsync(external).ConfigureAwait(false);
            return new RedisServer(external, RedisServerKind.External, $"external Redis at {external} ({RedisAvailability.EndpointVariable})");
        }

        RedisAvailability.ThrowIfUnavailable();
        var (host, description) = await StartHostAsync(dedicated: false, CancellationToken.None).ConfigureAwait(false);

        // Stopped by HostCleanup at process exit: the shared server lives as long as the test process.
        return new RedisServer(host.Endpoint, KindOf(host), "shared " + description);
    }

    internal static RedisServerKind KindOf(IRedisHost host) =>
        host is RedisContainerHost ? RedisServerKind.Container : RedisServerKind.LocalProcess;

    /// <summary>Starts a container when Docker answers, else (or when the container fails) a redis-server process.</summary>
    private static async Task<(IRedisHost Host, string Description)> StartHostAsync(bool dedicated, CancellationToken cancellationToken)
    {
        Exception? containerFailure = null;
        if (RedisAvailability.DockerAnswers)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_containerStartTimeout);
            try
            {
                var container = await RedisContainerHost.StartNewAsync(fixedPort: dedicated, timeout.Token).ConfigureAwait(false);
                return (container, container.Description);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Falls back to redis-server below; reported with it, or thrown if there is no redis-server.
                containerFailure = exception;
            }
        }

        var binary = RedisAvailability.ServerBinary;
        if (binary is null)
        {
            throw containerFailure is null
                ? RedisAvailability.CreateUnavailableException(dedicated)
                : new InvalidOperationException("Could not start a Redis container: " + containerFailure.Message, containerFailure);
        }

        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(s_processStartTimeout);
            try
            {
                var process = await RedisProcessHost.StartNewAsync(binary, timeout.Token).ConfigureAwait(false);
                var note = containerFailure is null ? string.Empty : $" (the Redis container failed: {containerFailure.Message})";
                return (process, process.Description + note);
            }
            catch (Exception exception) when (containerFailure is not null && !cancellationToken.IsCancellationRequested)
            {
                throw new AggregateException("Could not start Redis in a container nor as a redis-server process.", containerFailure, exception);
            }
        }
    }

    private static async Task EnsureExternalAnswersAsync(string endpoint)
    {
        var options = new ConfigurationOptions { AbortOnConnectFail = true, ConnectTimeout = 5_000, ConnectRetry = 1 };
        options.EndPoints.Add(endpoint);
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            await connection.GetDatabase().PingAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{RedisAvailability.EndpointVariable}={endpoint} does not answer: {exception.Message}", exception);
        }
    }
}
