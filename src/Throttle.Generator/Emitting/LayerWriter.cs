using System;
using System.Collections.Generic;
using System.Linq;
using Throttle.Generator.Model;

namespace Throttle.Generator.Emitting;

/// <summary>
/// Writes the wrapper's layers as static local functions, outermost first: queue, resilience pipeline (breaker and
/// retry), rate limit, semaphore. Each takes the receiver, the method's parameters and a cancellation token, does its
/// part and calls the next layer; the last one calls the implementation.
/// </summary>
/// <remarks>
/// Async layers return <c>ValueTask</c>/<c>ValueTask&lt;T&gt;</c> whatever the method returns, so a layer that
/// completes synchronously allocates nothing; a <c>Task</c> from the implementation is wrapped, never awaited, on that
/// path. Queue and pipeline callbacks are static lambdas that receive the receiver and arguments as a value tuple
/// state, so no closure is allocated.
/// </remarks>
internal sealed class LayerWriter
{
    private const string Self = "__throttleSelf";
    private const string Cancellation = "__throttleCancellation";
    private const string InnerCancellation = "__throttleInnerCancellation";
    private const string State = "__throttleState";
    private const string Wait = "__throttleWait";
    private const string Lease = "__throttleLease";
    private const string RateLimitSlowPath = "__ThrottleRateLimitSlowAsync";
    private const string ValueTaskType = "global::System.Threading.Tasks.ValueTask";
    private const string CancellationTokenType = "global::System.Threading.CancellationToken";

    private readonly MethodModel _model;
    private readonly List<Layer> _layers = new();
    private readonly List<Element> _elements = new();
    private readonly bool _isAsync;
    private readonly bool _returnsValue;
    private readonly string _layerReturnType;

    public LayerWriter(MethodModel model)
    {
        _model = model;
        AddIf(model.Queued is not null, Layer.Queued);
        AddIf(model.Resilience is not null, Layer.Resilience);
        AddIf(model.RateLimit is not null, Layer.RateLimit);
        AddIf(model.Semaphore is not null, Layer.Semaphore);

        if (!model.CoreIsStatic)
        {
            _elements.Add(new Element(Self, "this", model.SelfType));
        }

        _elements.AddRange(model.Parameters.Select(p => new Element(p.Name, p.Name, p.Type)));
        _isAsync = model.ReturnKind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;
        _returnsValue = model.ReturnKind is ReturnKind.Value or ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT;
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

    public string FirstLayerName => Name(_layers[0]);

    /// <summary>The arguments the partial method passes to the outermost layer.</summary>
    public string EntryArguments(string cancellation) =>
        string.Join(", ", _elements.Select(e => e.EntryArgument).Append(cancellation));

    public void WriteLocalFunctions(IndentedWriter writer)
    {
        for (var i = 0; i < _layers.Count; i++)
        {
            writer.Line();
            switch (_layers[i])
            {
                case Layer.Queued:
                    WriteQueued(writer, i);
                    break;
                case Layer.Resilience:
                    WriteResilience(writer, i);
                    break;
                case Layer.RateLimit:
                    WriteRateLimit(writer, i);
                    break;
                default:
                    WriteSemaphore(writer, i);
                    break;
            }
        }
    }

    private void WriteQueued(IndentedWriter writer, int index)
    {
        var queued = _model.Queued!;
        var typeArguments = _returnsValue ? $"<{StateType}, {_model.ResultType}>" : $"<{StateType}>";
        writer.Open($"static {_layerReturnType} {Name(Layer.Queued)}({Signature()})");
        writer.Line($"return new {_layerReturnType}({queued.FieldName}.EnqueueAsync{typeArguments}(");
        writer.Line($"    {StateValue},");
        writer.Line($"    static ({State}, {InnerCancellation}) => {NextFromState(index)},");
        writer.Line($"    {queued.PriorityExpression},");
        writer.Line($"    {Cancellation}));");
        writer.Close();
    }

    private void WriteResilience(IndentedWriter writer, int index)
    {
        var field = _model.Resilience!.FieldName;
        var (method, typeArguments) = _isAsync
            ? ("ExecuteAsync", _returnsValue ? $"<{_model.ResultType}, {StateType}>" : $"<{StateType}>")
            : ("Execute", _returnsValue ? $"<{_model.ReturnType}, {StateType}>" : $"<{StateType}>");
        writer.Open($"static {_layerReturnType} {Name(Layer.Resilience)}({Signature()})");
        writer.Line($"{(_returnsValue || _isAsync ? "return " : string.Empty)}{field}.Pipeline.{method}{typeArguments}(");
        writer.Line($"    static ({State}, {InnerCancellation}) => {NextFromState(index)},");
        writer.Line($"    {StateValue},");
        writer.Line($"    {Cancellation});");
        writer.Close();
    }

    private void WriteRateLimit(IndentedWriter writer, int index)
    {
        var rateLimit = _model.RateLimit!;
        writer.Open($"static {_layerReturnType} {Name(Layer.RateLimit)}({Signature()})");
        if (!_isAsync)
        {
            writer.Line($"{rateLimit.FieldName}.Acquire({rateLimit.KeyExpression}, {Cancellation});");
            writer.Line(Return(Next(index, e => e.Forwarded(rateLimit.NullTestedParameter), awaited: false)));
            writer.Close();
            return;
        }

        // Permit available: no state machine, no allocation. Only a real wait goes through the async slow path.
        writer.Line($"var {Wait} = {rateLimit.FieldName}.AcquireAsync({rateLimit.KeyExpression}, {Cancellation});");
        writer.Open($"if ({Wait}.IsCompletedSuccessfully)");
        writer.Line($"{Wait}.GetAwaiter().GetResult();");
        writer.Line("return " + Next(index, e => e.Forwarded(rateLimit.NullTestedParameter), awaited: false) + ";");
        writer.Close();
        writer.Line();
        var slowArguments = _elements.Select(e => e.Forwarded(rateLimit.NullTestedParameter)).Prepend(Wait).Append(Cancellation);
        writer.Line($"return {RateLimitSlowPath}({string.Join(", ", slowArguments)});");
        writer.Line();
        writer.Open($"static async {_layerReturnType} {RateLimitSlowPath}({ValueTaskType} {Wait}, {Signature()})");
        writer.Line($"await {Wait}.ConfigureAwait(false);");
        writer.Line(Return("await " + Next(index, e => e.Name, awaited: true) + ".ConfigureAwait(false)"));
        writer.Close();
        writer.Close();
    }

    private void WriteSemaphore(IndentedWriter writer, int index)
    {
        var semaphore = _model.Semaphore!;
        var partition = semaphore.PartitionExpression ?? "null";
        var next = Next(index, e => e.Forwarded(semaphore.NullTestedParameter), awaited: _isAsync);
        if (!_isAsync)
        {
            writer.Open($"static {_layerReturnType} {Name(Layer.Semaphore)}({Signature()})");
            writer.Line($"using var {Lease} = {semaphore.FieldName}.Acquire({partition}, {Cancellation});");
            writer.Line(Return(next));
            writer.Close();
            return;
        }

        // Released on success, failure and cancellation alike.
        writer.Open($"static async {_layerReturnType} {Name(Layer.Semaphore)}({Signature()})");
        writer.Line($"var {Lease} = await {semaphore.FieldName}.AcquireAsync({partition}, {Cancellation}).ConfigureAwait(false);");
        writer.Open("try");
        writer.Line(Return($"await {next}.ConfigureAwait(false)"));
        writer.Close();
        writer.Open("finally");
        writer.Line($"await {Lease}.DisposeAsync().ConfigureAwait(false);");
        writer.Close();
        writer.Close();
    }

    private string Return(string expression) => (_returnsValue ? "return " : string.Empty) + expression + ";";

    private string Signature() =>
        string.Join(", ", _elements.Select(e => $"{e.Type} {e.Name}").Append($"{CancellationTokenType} {Cancellation}"));

    /// <summary>The call of the layer after <paramref name="index"/>, or of the implementation after the last layer.</summary>
    /// <param name="awaited">The caller awaits the result, so the implementation's own task type can be used as is.</param>
    private string Next(int index, Func<Element, string> argument, bool awaited, string cancellation = Cancellation)
    {
        if (index + 1 < _layers.Count)
        {
            return $"{Name(_layers[index + 1])}({string.Join(", ", _elements.Select(argument).Append(cancellation))})";
        }

        var receiver = _model.CoreIsStatic ? string.Empty : argument(_elements[0]) + ".";
        var arguments = string.Join(", ", _elements.Skip(_model.CoreIsStatic ? 0 : 1).Select(argument));
        var call = $"{receiver}{_model.CoreName}{_model.TypeParameters}({arguments})";
        if (awaited || !_isAsync)
        {
            return call;
        }

        return _model.ReturnKind switch
        {
            ReturnKind.TaskOfT or ReturnKind.Task => $"new {_layerReturnType}({call})",
            _ => call,
        };
    }

    private string NextFromState(int index) =>
        Next(index, e => _elements.Count == 1 ? State : $"{State}.Item{_elements.IndexOf(e) + 1}", awaited: false, InnerCancellation);

    private string StateType => _elements.Count switch
    {
        0 => "object?",
        1 => _elements[0].Type,
        _ => "(" + string.Join(", ", _elements.Select(e => e.Type)) + ")",
    };

    private string StateValue => _elements.Count switch
    {
        0 => "null",
        1 => _elements[0].Name,
        _ => "(" + string.Join(", ", _elements.Select(e => e.Name)) + ")",
    };

    private static string Name(Layer layer) => "__Throttle" + layer;

    /// <summary>A value passed from layer to layer: the receiver or one parameter.</summary>
    /// <param name="Name">Its name inside the layers.</param>
    /// <param name="EntryArgument">What the partial method passes for it.</param>
    /// <param name="Type">Its fully qualified type.</param>
    private sealed record Element(string Name, string EntryArgument, string Type)
    {
        // A key path's '?.' makes the compiler's flow analysis think its parameter may be null from then on; the
        // parameter is forwarded unchanged to a parameter of the same type, so the warning would be noise.
        public string Forwarded(string? nullTestedParameter) => Name == nullTestedParameter ? Name + "!" : Name;
    }
}
