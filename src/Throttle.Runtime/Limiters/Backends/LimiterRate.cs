namespace Throttle.Limiters.Backends;

/// <summary>
/// The capacity and rate in force for one call. Fixed for most limiters (taken from their
/// <see cref="LimiterDefinition"/>); an adaptive limiter passes its current values, which is why they travel per call.
/// </summary>
/// <param name="Capacity">Token bucket: burst. Sliding window: requests per window. Leaky bucket: capacity.</param>
/// <param name="PerSecond">Token bucket: refill rate. Sliding window: capacity / window. Leaky bucket: leak rate.</param>
internal readonly record struct LimiterRate(double Capacity, double PerSecond);
