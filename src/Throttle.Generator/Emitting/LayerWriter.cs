using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Throttle.Generator.Model;
using Throttle.Generator.Parsing;

namespace Throttle.Generator.Emitting;

/// <summary>
/// Writes the wrapper's body: the method's receiver and arguments packed once into a value-tuple state, then one call
/// per layer, outermost first (queue, resilience pipeline, rate limit, semaphore), each of the same form
/// <c>site.InvokeAsync(runtime, key, state, static (state, token) =&gt; next, token)</c> (<c>Invoke</c> for synchronous
/// methods); the last layer's callback calls the implementation. The runtime is the type's <c>ThrottleRuntime</c>
/// member read from the state's receiver (no capture), or null for <c>ThrottleRuntime.Current</c>.
/// </summary>
/// <remarks>
/// Waiting, holding and releasing, and the synchronous fast path (a free permit or slot calls the next layer directly,
/// allocating nothing), all live in the runtime's site methods; the generated code only forwards. Each layer after the
/// first is a static local function of the state and the token its site hands on, so the callbacks are static lambdas:
/// cached by the compiler, no closure. Async layers return <c>ValueTask</c>/<c>ValueTask&lt;T&gt;</c> whatever the
/// method returns; a <c>Task</c> from the implementation is wrapped, never awaited.
/// </remarks>
internal sealed class LayerWriter
{
    private const string State = "__throttleState";
    private const string Cancellation = "__throttleCancellation";
    private const string ValueTaskType = "global::System.Threading.Tasks.ValueTask";
    private const string CancellationTokenType = "global::System.Threading.CancellationToken";

    private readonly MethodModel _model;
    private readonly List<Layer> _layers = new();

    /// <summary>What the state holds, in order: the receiver (when the implementation or the runtime member needs it), then each parameter.</summary>
    private readonly List<(string Value, string Type, string? Parameter)> _elements = new();

    private readonly bool _hasReceiver;
    private readonly bool _isAsync;
    private readonly string _layerReturnType;

    public LayerWriter(MethodModel model)
    {
        _model = model;
        AddIf(model.Queued is not null, Layer.Queued);
        AddIf(model.Resilience is not null, Layer.Resilience);
        AddIf(model.RateLimit is not null, Layer.RateLimit);
        AddIf(model.Semaphore is not null, Layer.Semaphore);

        _hasReceiver = !model.CoreIsStatic || model.Runtime is { IsInstance: true } || model.RateLimit?.KeyMethod is { IsStatic: false };
        if (_hasReceiver)
        {
            _elements.Add(("this", model.SelfType, null));
        }

        _elements.AddRange(model.Parameters.Select(p => (p.Name, p.Type, (string?)p.Name)));
        _isAsync = model.ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;
        _layerReturnType = model.ReturnKind switch
        {
            ReturnKind.Task or ReturnKind.ValueTask => ValueTaskType,
            ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT => $"{ValueTaskType}<{model.ResultType}>",
            _ => model.ReturnType,
        };

        void AddIf(bool present, Layer layer)
        {
            if (present)
            {
                _layers.Add(layer);
            }
        }
    }

    private enum Layer
    {
        Queued,
        Resilience,
        RateLimit,
        Semaphore,
    }

    /// <summary>The statements of the partial method's body.</summary>
    public void WriteBody(IndentedWriter writer)
    {
        writer.Line($"{StateType} {State} = {StateValue};");
        var (prefix, suffix) = _model.ReturnKind switch
        {
            ReturnKind.Void => (string.Empty, ";"),
            ReturnKind.Value or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT => ("return ", ";"),
            // A ValueTask wrapping a Task hands back that Task: no allocation.
            _ => ("return ", ".AsTask();"),
        };
        WriteLayerCall(writer, 0, prefix, _model.CancellationTokenName ?? "default", suffix);

        for (var i = 1; i < _layers.Count; i++)
        {
            writer.Line();
            writer.Line($"static {_layerReturnType} {Name(_layers[i])}({StateType} {State}, {CancellationTokenType} {Cancellation}) =>");
            writer.Indent();
            WriteLayerCall(writer, i, string.Empty, Cancellation, ";");
            writer.Outdent();
        }
    }

    /// <summary>The call of layer <paramref name="index"/>'s site, its callback calling the next layer.</summary>
    private void WriteLayerCall(IndentedWriter writer, int index, string prefix, string cancellation, string suffix)
    {
        var (site, leading) = _layers[index] switch
        {
            Layer.Queued => (_model.Queued!.FieldName, QueueArgument(_model.Queued!)),
            Layer.Resilience => (_model.Resilience!.FieldName, null),
            Layer.RateLimit => (_model.RateLimit!.FieldName, RateLimitKey(_model.RateLimit!)),
            _ => (_model.Semaphore!.FieldName, _model.Semaphore!.Partition is { } partition ? Key(partition) : "null"),
        };
        writer.Line($"{prefix}{site}.{(_isAsync ? "InvokeAsync" : "Invoke")}(");
        writer.Line($"    {Runtime},");
        if (leading is not null)
        {
            writer.Line($"    {leading},");
        }

        writer.Line($"    {State},");
        writer.Line($"    static ({State}, {Cancellation}) => {Next(index)},");
        writer.Line($"    {cancellation}){suffix}");
    }

    /// <summary>The callback's body: the next layer, or the implementation after the last one.</summary>
    private string Next(int index)
    {
        if (index + 1 < _layers.Count)
        {
            return $"{Name(_layers[index + 1])}({State}, {Cancellation})";
        }

        var receiver = _model.CoreIsStatic ? string.Empty : Element(0) + ".";
        var first = _hasReceiver ? 1 : 0;
        var arguments = string.Join(", ", Enumerable.Range(first, _elements.Count - first).Select(Element));
        var call = $"{receiver}{_model.CoreName}{_model.TypeParameters}({arguments})";
        return _model.ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT ? $"new {_layerReturnType}({call})" : call;
    }

    /// <summary>The runtime argument of every site call: the type's runtime member, or null for <c>ThrottleRuntime.Current</c>.</summary>
    private string Runtime
    {
        get
        {
            if (_model.Runtime is not { } runtime)
            {
                return "null";
            }

            var member = (runtime.IsInstance ? Element(0) : _model.SelfType) + "." + runtime.Member;
            return runtime.IsNullable
                ? member
                : $"global::Throttle.Infrastructure.SiteRuntime.Required({member}, {SymbolText.Literal(runtime.DisplayName)})";
        }
    }

    private string RateLimitKey(RateLimitModel rateLimit) => rateLimit switch
    {
        { Key: { } key } => Key(key),
        { KeyMethod: { } keyMethod } => KeyMethodCall(keyMethod),
        _ => SymbolText.Literal(rateLimit.DefaultKey),
    };

    private string Key(KeyPathModel key, string convert = KeyPathWriter.RateLimitKey) =>
        KeyPathWriter.Expression(key, ParameterElement(key.Parameter), convert);

    /// <summary>The key method called on the receiver (or the type) with its arguments read from the state; no reflection.</summary>
    private string KeyMethodCall(KeyMethodModel keyMethod)
    {
        var target = keyMethod.IsStatic ? _model.SelfType : Element(0);
        var arguments = string.Join(", ", keyMethod.Arguments.Select(ParameterElement));
        return $"{KeyPathWriter.RateLimitKey}({target}.{keyMethod.Name}({arguments}), {SymbolText.Literal(keyMethod.Display)})";
    }

    /// <summary>What each call gives its queue: its priority (fixed or a parameter), its delay, or its dedupe key.</summary>
    private string QueueArgument(QueuedModel queued) => queued switch
    {
        { DelayParameter: { } delay } => ParameterElement(delay),
        { DedupeKey: { } dedupeKey } => Key(dedupeKey, KeyPathWriter.DedupeKey),
        { PriorityParameter: { } parameter } => ParameterElement(parameter),
        _ => queued.Priority.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Reads the parameter declared as <paramref name="name"/> from the state.</summary>
    private string ParameterElement(string name) =>
        Element(_elements.FindIndex(e => e.Parameter == SymbolText.Identifier(name)));

    private string Element(int index) => $"{State}.Item{index + 1}";

    private string StateType => _elements.Count switch
    {
        0 => "global::System.ValueTuple",
        1 => $"global::System.ValueTuple<{_elements[0].Type}>",
        _ => "(" + string.Join(", ", _elements.Select(e => e.Type)) + ")",
    };

    private string StateValue => _elements.Count switch
    {
        0 => "default",
        1 => $"new {StateType}({_elements[0].Value})",
        _ => "(" + string.Join(", ", _elements.Select(e => e.Value)) + ")",
    };

    private static string Name(Layer layer) => "__Throttle" + layer;
}
