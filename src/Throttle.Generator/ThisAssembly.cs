namespace Throttle.Generator;

/// <summary>The generator's version, written into <c>[GeneratedCode]</c> on every generated member.</summary>
internal static class ThisAssembly
{
    public const string Version = "0.1.0";
}
