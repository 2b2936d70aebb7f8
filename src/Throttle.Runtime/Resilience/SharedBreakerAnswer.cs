using System;
using System.Globalization;
using StackExchange.Redis;

namespace Throttle.Resilience;

/// <summary>What the shared state of a circuit breaker is, as a breaker script answered or an announcement said.</summary>
internal enum SharedBreakerStatus
{
    /// <summary>Closed; <see cref="SharedBreakerAnswer.Value"/> is the consecutive failures counted.</summary>
    Closed,

    /// <summary>Open (half-open when <see cref="SharedBreakerAnswer.Value"/>, the ms left of the break, is 0 and no trial runs).</summary>
    Open,

    /// <summary>Half-open with another process's trial running; <see cref="SharedBreakerAnswer.Value"/> is the ms left of its lease.</summary>
    Busy,

    /// <summary>Half-open, and this process holds the trial (for <see cref="SharedBreakerAnswer.Value"/> ms).</summary>
    Trial,

    /// <summary>Isolated by hand.</summary>
    Isolated,

    /// <summary>Stored with other settings: <see cref="SharedBreakerAnswer.Conflict"/> says which.</summary>
    Conflict,

    /// <summary>A streak of failures started somewhere (an announcement only): the next success must reset it.</summary>
    Counting,
}

/// <summary>
/// One answer of a breaker script (<c>breaker-common.lua</c> lists them) or one announcement on the breaker's channel.
/// </summary>
/// <param name="Status">The state.</param>
/// <param name="Generation">Counts the opens, closes and isolations so far: news older than what a process knows is ignored.</param>
/// <param name="Value">Failures (closed, counting) or milliseconds (open, busy, trial).</param>
/// <param name="Conflict">The stored settings and their first user, when <see cref="Status"/> is <see cref="SharedBreakerStatus.Conflict"/>.</param>
internal readonly record struct SharedBreakerAnswer(SharedBreakerStatus Status, long Generation, long Value, (string Threshold, string BreakMs, string By) Conflict = default)
{
    public static SharedBreakerAnswer Parse(RedisResult[] reply)
    {
        var kind = (string)reply[0]!;
        return kind switch
        {
            "conflict" => new(SharedBreakerStatus.Conflict, 0, 0, ((string)reply[1]!, (string)reply[2]!, (string)reply[3]!)),
            "isolated" => new(SharedBreakerStatus.Isolated, Long((string)reply[1]!), 0),
            _ => new(StatusOf(kind), Long((string)reply[1]!), Long((string)reply[2]!)),
        };
    }

    /// <summary>Reads an announcement (<c>'o|g|ms'</c>, <c>'c|g'</c>, <c>'i|g'</c>, <c>'f|g|n'</c>, <c>'r|g'</c>); null when unknown.</summary>
    public static SharedBreakerAnswer? ParseAnnouncement(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return null;
        }

        var parts = message.Split('|');
        if (parts.Length < 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return null;
        }

        long value = 0;
        if (parts.Length > 2 && !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        return parts[0] switch
        {
            "o" => new(SharedBreakerStatus.Open, generation, value),
            "c" => new(SharedBreakerStatus.Closed, generation, 0),
            "r" => new(SharedBreakerStatus.Closed, generation, 0),
            "i" => new(SharedBreakerStatus.Isolated, generation, 0),
            "f" => new(SharedBreakerStatus.Counting, generation, value),
            _ => null,
        };
    }

    private static SharedBreakerStatus StatusOf(string kind) => kind switch
    {
        "closed" => SharedBreakerStatus.Closed,
        "open" => SharedBreakerStatus.Open,
        "busy" => SharedBreakerStatus.Busy,
        "trial" => SharedBreakerStatus.Trial,
        _ => throw new InvalidOperationException($"Unknown circuit breaker answer '{kind}'."),
    };

    private static long Long(string text) => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
