using System;
using System.Globalization;
using StackExchange.Redis;

namespace Throttle.Storage.Redis;

/// <summary>Reads the connection strings <see cref="RedisStorage(string, RedisStorageOptions?)"/> accepts.</summary>
internal static class RedisConnectionString
{
    /// <summary>A StackExchange.Redis connection string (<c>host:port,password=…</c>) or a <c>redis://</c> / <c>rediss://</c> URL.</summary>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty or malformed.</exception>
    public static ConfigurationOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ConfigurationOptions configuration;
        try
        {
            configuration = connectionString.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
                         || connectionString.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)
                ? ParseUrl(connectionString)
                : ConfigurationOptions.Parse(connectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or UriFormatException or RedisException)
        {
            throw new ArgumentException($"Malformed Redis connection string: {exception.Message}", nameof(connectionString), exception);
        }

        if (configuration.EndPoints.Count == 0)
        {
            throw new ArgumentException("The Redis connection string names no endpoint (expected host:port).", nameof(connectionString));
        }

        return configuration;
    }

    private static ConfigurationOptions ParseUrl(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"'{url}' names no host.");
        }

        var configuration = new ConfigurationOptions { Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        configuration.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(separator < 0 ? string.Empty : uri.UserInfo[..separator]);
            var password = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[(separator + 1)..]);
            configuration.User = user.Length == 0 ? null : user;
            configuration.Password = password;
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            configuration.DefaultDatabase = int.Parse(path, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return configuration;
    }
}
