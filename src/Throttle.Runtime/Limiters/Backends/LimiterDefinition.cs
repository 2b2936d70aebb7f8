using System;

namespace Throttle.Limiters.Backends;

/// <summary>
/// What a storage needs to know to hold one limiter's state: the algorithm, the scope that namespaces its keys,
/// and the algorithm's parameters. Capacity and rate are passed per call as well (<see cref="LimiterRate"/>) so that an
/// adaptive limiter can change them; a backend uses the per-call values.
/// </summary>
/// <param name="Algorithm">The admission algorithm.</param>
/// <param name="Scope">Namespaces the keys: two limiters with different scopes never share state.</param>
/// <param name="Capacity">Token bucket: burst. Sliding window: requests per window. Leaky bucket: capacity.</param>
/// <param name="RatePerSecond">Token bucket: refill rate. Sliding window: capacity / window. Leaky bucket: leak rate.</param>
/// <param name="Window">Sliding window only: the window length; <see cref="TimeSpan.Zero"/> otherwise.</param>
internal sealed record LimiterDefinition(
    LimiterAlgorithm Algorithm, string Scope, double Capacity, double RatePerSecond, TimeSpan Window);
