using System;

namespace Throttle.Limiters;

/// <summary>A snapshot of one key's state in a limiter.</summary>
/// <param name="AvailableTokens">Tokens that could be taken now.</param>
/// <param name="MaxTokens">The most tokens the key can hold (the burst or capacity).</param>
/// <param name="RefillRate">Tokens added per second.</param>
/// <param name="LastUpdate">When the key's state last changed; <see langword="null"/> if the key has no state yet.</param>
public readonly record struct LimiterStats(double AvailableTokens, double MaxTokens, double RefillRate, DateTimeOffset? LastUpdate);
