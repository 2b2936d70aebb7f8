using System;
using System.Collections.Generic;
using System.ComponentModel;

namespace Throttle.Infrastructure;

/// <summary>
/// The named runtime resources that generated methods use (a <c>[RateLimit(Limiter = "api")]</c>, a
/// <c>[Queued(Queue = "imports")]</c>), recorded by each compiled assembly's generated module initializer so that a host
/// can check at start-up that every one is registered, naming the method, without reflection.
/// </summary>
/// <remarks>For generated code and integration layers; not meant to be called by hand.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SiteManifest
{
    private static readonly object s_gate = new();
    private static readonly List<SiteReference> s_references = [];

    /// <summary>Records that the generated method <paramref name="method"/> uses the resource <paramref name="name"/> of kind <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="method"/> or <paramref name="name"/> is null or empty.</exception>
    public static void Register(string method, SiteResourceKind kind, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (s_gate)
        {
            s_references.Add(new SiteReference(method, kind, name));
        }
    }

    /// <summary>Every reference recorded so far by the assemblies loaded in this process, in registration order.</summary>
    public static IReadOnlyList<SiteReference> References
    {
        get
        {
            lock (s_gate)
            {
                return s_references.ToArray();
            }
        }
    }
}
