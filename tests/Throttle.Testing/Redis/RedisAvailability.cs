using System;
using System.IO;
using System.Threading;

namespace Throttle.Testing.Redis;

/// <summary>
/// Decides whether Redis-backed tests can run on this machine and words the reason when they cannot.
/// Every check is cheap and cached for the process: nothing is started here.
/// </summary>
/// <remarks>
/// Sources, in the order <see cref="RedisServer.GetSharedAsync"/> tries them: <c>THROTTLE_REDIS</c> (host:port of a
/// server that tests use as-is), a Docker daemon (Testcontainers.Redis), a <c>redis-server</c> binary
/// (<c>THROTTLE_REDIS_SERVER_PATH</c> or PATH). With none of them, tests skip, or fail when
/// <c>THROTTLE_REQUIRE_REDIS=1</c>.
/// </remarks>
public static class RedisAvailability
{
    /// <summary>Environment variable holding the host:port of an existing Redis server to use as-is.</summary>
    public const string EndpointVariable = "THROTTLE_REDIS";

    /// <summary>Environment variable that, when <c>1</c> or <c>true</c>, turns "Redis unavailable" from a skip into a failure.</summary>
    public const string RequireVariable = "THROTTLE_REQUIRE_REDIS";

    /// <summary>Environment variable holding the path of the <c>redis-server</c> binary; overrides the PATH lookup.</summary>
    public const string ServerPathVariable = "THROTTLE_REDIS_SERVER_PATH";

    /// <summary>Environment variable holding the Docker image used with Testcontainers; defaults to <see cref="DefaultImage"/>.</summary>
    public const string ImageVariable = "THROTTLE_REDIS_IMAGE";

    /// <summary>The Docker image used when <see cref="ImageVariable"/> is not set.</summary>
    public const string DefaultImage = "redis:7.4-alpine";

    /// <summary>The first words of every skip or failure caused by a missing Redis.</summary>
    public const string UnavailableMessage = "Redis not available: set THROTTLE_REDIS, start Docker, or install redis-server";

    private static readonly Lazy<string?> s_dockerEndpoint =
        new(() => DockerProbe.FindAnsweringEndpoint(TimeSpan.FromSeconds(1)), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<BinaryLookup> s_serverBinary = new(FindServerBinary, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether <c>THROTTLE_REQUIRE_REDIS</c> asks for a failure instead of a skip when Redis is unavailable.</summary>
    public static bool IsRequired =>
        Environment.GetEnvironmentVariable(RequireVariable)?.Trim() is { } value &&
        (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The host:port from <c>THROTTLE_REDIS</c>, or <see langword="null"/> when it is not set.</summary>
    public static string? ExternalEndpoint =>
        Environment.GetEnvironmentVariable(EndpointVariable)?.Trim() is { Length: > 0 } endpoint ? endpoint : null;

    /// <summary>Whether a shared server can be had: <c>THROTTLE_REDIS</c>, Docker or <c>redis-server</c>.</summary>
    public static bool IsSharedServerAvailable => ExternalEndpoint is not null || DockerAnswers || ServerBinary is not null;

    /// <summary>
    /// Whether a dedicated, restartable server can be started: Docker or <c>redis-server</c>
    /// (a server named by <c>THROTTLE_REDIS</c> is never stopped by tests).
    /// </summary>
    public static bool IsDedicatedServerAvailable => DockerAnswers || ServerBinary is not null;

    /// <summary>The Docker image used with Testcontainers.</summary>
    public static string Image =>
        Environment.GetEnvironmentVariable(ImageVariable)?.Trim() is { Length: > 0 } image ? image : DefaultImage;

    internal static bool DockerAnswers => s_dockerEndpoint.Value is not null;

    internal static string? ServerBinary => s_serverBinary.Value.Path;

    /// <summary>
    /// The reason to skip a Redis test, or <see langword="null"/> when it should run: Redis is available, or
    /// <c>THROTTLE_REQUIRE_REDIS=1</c> asks for the test to run (and fail).
    /// </summary>
    /// <param name="dedicatedServer">Whether the test starts its own restartable server.</param>
    public static string? GetSkipReason(bool dedicatedServer = false)
    {
        if (IsAvailable(dedicatedServer) || IsRequired)
        {
            return null;
        }

        return Describe(dedicatedServer) + $" Set {RequireVariable}=1 to fail instead of skipping.";
    }

    /// <summary>Throws <see cref="RedisUnavailableException"/> with the full reason when the requested kind of server cannot be had.</summary>
    /// <param name="dedicatedServer">Whether a dedicated, restartable server is needed.</param>
    public static void ThrowIfUnavailable(bool dedicatedServer = false)
    {
        if (!IsAvailable(dedicatedServer))
        {
            throw CreateUnavailableException(dedicatedServer);
        }
    }

    internal static RedisUnavailableException CreateUnavailableException(bool dedicatedServer)
    {
        var suffix = IsRequired
            ? $" ({RequireVariable}=1: failing instead of skipping.)"
            : $" (Use [RedisFact]/[RedisTheory] to skip, or set {RequireVariable}=1 to fail.)";
        return new RedisUnavailableException(Describe(dedicatedServer) + suffix);
    }

    private static bool IsAvailable(bool dedicatedServer) =>
        dedicatedServer ? IsDedicatedServerAvailable : IsSharedServerAvailable;

    private static string Describe(bool dedicatedServer)
    {
        var docker = DockerAnswers ? "a Docker daemon answers" : $"no Docker daemon answered at {DockerProbe.DescribeTarget()}";
        var binary = s_serverBinary.Value.Problem ?? $"redis-server is at {ServerBinary}";
        var external = ExternalEndpoint;
        if (dedicatedServer && external is not null)
        {
            return "Dedicated Redis server not available: start Docker or install redis-server " +
                $"({EndpointVariable}={external} is used as-is and never restarted by tests; {docker}; {binary}).";
        }

        var externalText = external is null ? $"{EndpointVariable} is not set" : $"{EndpointVariable}={external}";
        return $"{UnavailableMessage} ({externalText}; {docker}; {binary}).";
    }

    private static BinaryLookup FindServerBinary()
    {
        var configured = Environment.GetEnvironmentVariable(ServerPathVariable)?.Trim();
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? new BinaryLookup(Path.GetFullPath(configured), null)
                : new BinaryLookup(null, $"{ServerPathVariable}={configured} is not a file");
        }

        var fileName = OperatingSystem.IsWindows() ? "redis-server.exe" : "redis-server";
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, fileName);
            if (File.Exists(candidate))
            {
                return new BinaryLookup(candidate, null);
            }
        }

        return new BinaryLookup(null, "redis-server was not found on PATH");
    }

    private readonly record struct BinaryLookup(string? Path, string? Problem);
}
