using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Throttle.Storage.Redis;

/// <summary>
/// One Lua script of the Redis layer: its text, read from an embedded <c>Scripts/*.lua</c> resource, and the names of
/// its <c>KEYS</c> and <c>ARGV</c> in order. The <c>.lua</c> files refer to them by name (<c>@bucket</c>, <c>@tokens</c>);
/// the names become <c>KEYS[i]</c> and <c>ARGV[i]</c> here, once, when the script is first used.
/// </summary>
/// <remarks>
/// Once loaded, calls send <see cref="Hash"/> (<c>EVALSHA</c>), not the text: given the text, StackExchange.Redis finds
/// its SHA by looking the whole text up on every call, inside its write lock. A server that answers <c>NOSCRIPT</c>
/// (restarted, flushed, a new cluster node) is sent the text, which loads it again (see
/// <see cref="RedisLayer.EvaluateAsync"/>). The text sent is the source without comments or indentation
/// (<see cref="Compact"/>): less to load and to keep. User input only ever travels in <c>KEYS</c> and <c>ARGV</c>, never
/// in the text.
/// </remarks>
internal sealed partial class RedisScript
{
    private RedisScript(string name, string text, string[] keys, string[] args, int minArgs, int maxArgs)
    {
        Name = name;
        Text = text;
#pragma warning disable CA5350 // Not security: SHA1 is how Redis names a loaded script.
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
        Keys = keys;
        Args = args;
        MinArgs = minArgs;
        MaxArgs = maxArgs;
    }

    /// <summary>The file name without <c>.lua</c>, as in error messages.</summary>
    public string Name { get; }

    /// <summary>The Lua source as sent to Redis, names replaced by <c>KEYS[i]</c> and <c>ARGV[i]</c>.</summary>
    public string Text { get; }

    /// <summary>The SHA1 of <see cref="Text"/>: the name Redis keeps a loaded script under, as <c>EVALSHA</c> sends it.</summary>
    public byte[] Hash { get; }

    /// <summary>The names of <c>KEYS</c>, in order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The names of <c>ARGV</c>, in order.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>The fewest <c>ARGV</c> a call passes: all of <see cref="Args"/> unless the last ones are optional.</summary>
    public int MinArgs { get; }

    /// <summary>The most <c>ARGV</c> a call passes: <see cref="Args"/>' count, or <see cref="int.MaxValue"/> when the last repeats.</summary>
    public int MaxArgs { get; }

    /// <summary>Loads <c>Scripts/&lt;name&gt;.lua</c> after the given preludes and binds its names.</summary>
    /// <exception cref="InvalidOperationException">The resource is missing, or the text uses a name not declared.</exception>
    public static RedisScript Load(string name, string[] keys, string[] args, params string[] preludes)
    {
        var source = Compact(string.Concat(string.Concat(Array.ConvertAll(preludes, Read)), Read(name)));
        var text = Placeholder().Replace(source, match =>
        {
            var parameter = match.Groups[1].Value;
            var key = Array.IndexOf(keys, parameter);
            if (key >= 0)
            {
                return $"KEYS[{key + 1}]";
            }

            var arg = Array.IndexOf(args, parameter);
            return arg >= 0
                ? $"ARGV[{arg + 1}]"
                : throw new InvalidOperationException($"Script '{name}' uses @{parameter}, which is neither among its KEYS nor its ARGV.");
        });
        return new RedisScript(name, text, keys, args, args.Length, args.Length);
    }

    /// <summary>The same script with its last <c>ARGV</c> left optional: callers pass all but it, or all.</summary>
    public RedisScript WithOptionalLast() => new(Name, Text, [.. Keys], [.. Args], Args.Count - 1, Args.Count);

    /// <summary>The same script with its last <c>ARGV</c> repeated: once or more, one value per request.</summary>
    public RedisScript WithRepeatedLast() => new(Name, Text, [.. Keys], [.. Args], Args.Count, int.MaxValue);

    /// <summary>Checks a call's arguments against the declaration (a programming error otherwise, not user input).</summary>
    public void CheckArity(int keyCount, int argCount)
    {
        if (keyCount != Keys.Count || argCount < MinArgs || argCount > MaxArgs)
        {
            var expected = MinArgs == MaxArgs ? $"{MinArgs}" : MaxArgs == int.MaxValue ? $"{MinArgs} or more" : $"{MinArgs} to {MaxArgs}";
            throw new InvalidOperationException(
                $"Script '{Name}' takes {Keys.Count} keys and {expected} arguments, not {keyCount} and {argCount}.");
        }
    }

    /// <summary>
    /// The Lua source without its comments and indentation, one output line per input line (so that a line number in a
    /// Redis error still points into the concatenated source). A comment after code is cut only where no quote precedes
    /// its <c>--</c> on the line, so that no string literal is ever cut.
    /// </summary>
    internal static string Compact(string source)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var comment = line.IndexOf("--", StringComparison.Ordinal);
            if (comment >= 0 && line.AsSpan(0, comment).IndexOfAny('\'', '"') < 0)
            {
                line = line[..comment].TrimEnd();
            }

            lines[i] = line;
        }

        return string.Join('\n', lines);
    }

    private static string Read(string name)
    {
        var resource = "Throttle.Storage.Redis.Scripts." + name + ".lua";
        using var stream = typeof(RedisScript).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded script '{resource}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex("@([a-z][A-Za-z]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
