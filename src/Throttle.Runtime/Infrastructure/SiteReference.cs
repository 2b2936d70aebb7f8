using System.ComponentModel;

namespace Throttle.Infrastructure;

/// <summary>One named resource a generated method uses: see <see cref="SiteManifest"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class SiteReference
{
    internal SiteReference(string method, SiteResourceKind kind, string name)
    {
        Method = method;
        Kind = kind;
        Name = name;
    }

    /// <summary>The method's id, <c>Namespace.Type.Method</c>, as in diagnostics and exception messages.</summary>
    public string Method { get; }

    /// <summary>What <see cref="Name"/> refers to.</summary>
    public SiteResourceKind Kind { get; }

    /// <summary>The name, as written in the attribute.</summary>
    public string Name { get; }
}
