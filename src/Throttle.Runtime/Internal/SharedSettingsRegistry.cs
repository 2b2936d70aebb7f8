using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Throttle.Limiters.Backends;

namespace Throttle.Internal;

/// <summary>
/// Remembers, for one kind of state shared by name (limiter state on a storage, a runtime's circuit breakers or
/// semaphores), the settings each name was first used with and by whom. A later user with the same settings shares the
/// state; one with different settings gets an <see cref="InvalidOperationException"/> naming both users and what
/// differs, instead of silently running on the first user's settings (docs/diagnostics.md#thr110; the generator
/// reports the same conflict at compile time as THR110, THR305 and THR403 when both users are in one compilation).
/// </summary>
/// <typeparam name="TSettings">The settings that live with the shared state; compared with their own equality.</typeparam>
/// <remarks>
/// A claim that matches costs one dictionary lookup and allocates nothing, so it may sit on a path that runs per call.
/// Claims are never forgotten: shared state outlives its first user too (a storage keeps a bucket after its limiter is gone).
/// </remarks>
internal sealed class SharedSettingsRegistry<TSettings>
    where TSettings : IEquatable<TSettings>
{
    private readonly ConcurrentDictionary<string, (TSettings Settings, string User)> _claims = new(StringComparer.Ordinal);
    private readonly string _what;
    private readonly string _where;
    private readonly Func<TSettings, (string Name, string Value)[]> _describe;

    /// <param name="what">The kind of name, for messages: <c>limiter scope</c>.</param>
    /// <param name="where">What the names are unique in, for messages: <c>storage</c>.</param>
    /// <param name="describe">The settings as name/value pairs, in a fixed order, for messages.</param>
    public SharedSettingsRegistry(string what, string where, Func<TSettings, (string Name, string Value)[]> describe)
    {
        _what = what;
        _where = where;
        _describe = describe;
    }

    /// <summary>Records that <paramref name="user"/> uses <paramref name="name"/> with <paramref name="settings"/>.</summary>
    /// <param name="name">The shared name.</param>
    /// <param name="settings">The settings the user asks for.</param>
    /// <param name="user">Who asks, for messages: a method's site id.</param>
    /// <param name="key">What the name is recorded under when it differs from the name (limiter state: algorithm and scope).</param>
    /// <exception cref="InvalidOperationException"><paramref name="name"/> is already used with other settings.</exception>
    public void Claim(string name, TSettings settings, string user, string? key = null)
    {
        key ??= name;
        if (!_claims.TryGetValue(key, out var first))
        {
            first = _claims.GetOrAdd(key, (settings, user));
        }

        if (!first.Settings.Equals(settings))
        {
            throw new InvalidOperationException(Conflict(name, first.Settings, first.User, settings, user));
        }
    }

    private string Conflict(string name, TSettings firstSettings, string firstUser, TSettings settings, string user)
    {
        var before = _describe(firstSettings);
        var now = _describe(settings);
        var differing = before.Zip(now, (b, n) => (Before: b, Now: n)).Where(p => p.Before.Value != p.Now.Value).ToList();
        return $"The {_what} '{name}' is shared with different settings on this {_where}: {firstUser} uses it with "
            + string.Join(", ", differing.Select(p => $"{p.Before.Name} = {p.Before.Value}"))
            + $", but {user} asks for "
            + string.Join(", ", differing.Select(p => $"{p.Now.Name} = {p.Now.Value}"))
            + $". Users of one {_what} share its state, so give them the same settings, or give them different names.";
    }
}

/// <summary>The kinds of shared names the runtime checks, and who is claiming one right now.</summary>
internal static class SharedSettings
{
    [ThreadStatic]
    private static string? t_user;

    /// <summary>
    /// Limiter state on one storage, by algorithm and scope (the storages keep one keyspace per pair). Claimed where a
    /// limiter's scope is first used: when the storage creates the limiter's backend.
    /// </summary>
    public static SharedSettingsRegistry<LimiterDefinition> ForLimiterScopes() =>
        new("limiter scope", "storage", static d => d.Algorithm == LimiterAlgorithm.SlidingWindow
            ? [("Algorithm", d.Algorithm.ToString()), ("Capacity", Number(d.Capacity)), ("Window", d.Window.ToString()), ("RatePerSecond", Number(d.RatePerSecond))]
            : [("Algorithm", d.Algorithm.ToString()), ("Capacity", Number(d.Capacity)), ("RatePerSecond", Number(d.RatePerSecond))]);

    /// <summary>A runtime's circuit breakers by name.</summary>
    public static SharedSettingsRegistry<BreakerSettings> ForCircuitBreakers() =>
        new("circuit breaker", "runtime", static s =>
            [("FailureThreshold", Number(s.FailureThreshold)), ("BreakSeconds", Number(s.BreakDuration.TotalSeconds)), ("Shared", s.Shared ? "true" : "false")]);

    /// <summary>A runtime's semaphores by key (every partition of a key shares the key's settings).</summary>
    public static SharedSettingsRegistry<SemaphoreSettings> ForSemaphores() =>
        new("semaphore", "runtime", static s =>
            [("Value", Number(s.Value)), ("LeaseSeconds", Number(s.Lease.TotalSeconds)), ("AcquireSleepDelaySeconds", Number(s.SleepDelay.TotalSeconds))]);

    /// <summary>
    /// Who a claim made on this thread is for: a generated site's id while the runtime builds its limiter (the storage,
    /// which makes the claim, only sees the limiter's definition); otherwise a limiter built in code.
    /// </summary>
    public static string User(LimiterDefinition definition) => t_user ?? $"a {definition.Algorithm} limiter created in code";

    /// <summary>Names the claims made on this thread until the returned scope is disposed.</summary>
    public static UserScope ClaimingAs(string user)
    {
        var previous = t_user;
        t_user = user;
        return new UserScope(previous);
    }

    /// <summary>Claims <paramref name="definition"/>'s scope on a storage's <see cref="ForLimiterScopes"/> registry.</summary>
    public static void ClaimScope(this SharedSettingsRegistry<LimiterDefinition> scopes, LimiterDefinition definition) =>
        scopes.Claim(definition.Scope, definition, User(definition), definition.Algorithm + ":" + definition.Scope);

    private static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Restores the previous user when disposed.</summary>
    internal readonly struct UserScope(string? previous) : IDisposable
    {
        public void Dispose() => t_user = previous;
    }
}

/// <summary>The settings that live with a circuit breaker.</summary>
internal readonly record struct BreakerSettings(int FailureThreshold, TimeSpan BreakDuration, bool Shared);

/// <summary>The settings fixed when a semaphore is created.</summary>
internal readonly record struct SemaphoreSettings(int Value, TimeSpan Lease, TimeSpan SleepDelay);
