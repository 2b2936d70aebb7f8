using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis.Text;

namespace Throttle.Generator.Tests;

/// <summary>Source with its expected diagnostic spans marked <c>[|like this|]</c>; the markers are removed.</summary>
internal sealed class Markup
{
    private const string Open = "[|";
    private const string Close = "|]";

    private Markup(string source, IReadOnlyList<TextSpan> spans)
    {
        Source = source;
        Spans = spans;
    }

    public string Source { get; }

    public IReadOnlyList<TextSpan> Spans { get; }

    public TextSpan Span => Spans.Count == 1 ? Spans[0] : throw new InvalidOperationException($"Expected one marked span, found {Spans.Count}.");

    public string Text(TextSpan span) => Source.Substring(span.Start, span.Length);

    public static Markup Parse(string marked)
    {
        var text = new System.Text.StringBuilder();
        var spans = new List<TextSpan>();
        var start = -1;
        for (var i = 0; i < marked.Length; i++)
        {
            if (string.CompareOrdinal(marked, i, Open, 0, Open.Length) == 0)
            {
                if (start >= 0)
                {
                    throw new InvalidOperationException("Nested markers are not supported.");
                }

                start = text.Length;
                i += Open.Length - 1;
            }
            else if (start >= 0 && string.CompareOrdinal(marked, i, Close, 0, Close.Length) == 0)
            {
                spans.Add(TextSpan.FromBounds(start, text.Length));
                start = -1;
                i += Close.Length - 1;
            }
            else
            {
                text.Append(marked[i]);
            }
        }

        if (start >= 0)
        {
            throw new InvalidOperationException("Unclosed marker.");
        }

        return new Markup(text.ToString(), spans);
    }
}
