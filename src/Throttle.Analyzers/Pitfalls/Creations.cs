using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>A new semaphore or limiter, the local it initializes, and what its uses in its function show.</summary>
internal sealed class Creation
{
    /// <summary>Methods that take a slot or a permit: the calls that make a per-call instance useless.</summary>
    private static readonly ImmutableHashSet<string> s_waits = ImmutableHashSet.Create(
        "Wait", "WaitAsync", "Acquire", "AcquireAsync", "TryAcquireAsync", "AttemptAcquireAsync");

    /// <summary>Calls on the instance that neither wait nor let it out of the function.</summary>
    private static readonly ImmutableHashSet<string> s_harmless = ImmutableHashSet.Create(
        "Release", "ReleaseAsync", "Dispose", "DisposeAsync", "GetStats", "GetStatsAsync", "ToString");

    private Creation(IObjectCreationOperation operation, StateKind kind, ILocalSymbol? local, LocalDeclarationStatementSyntax? statement, SyntaxNode? function)
    {
        Operation = operation;
        Kind = kind;
        Local = local;
        Statement = statement;
        Function = function;
    }

    public IObjectCreationOperation Operation { get; }

    public StateKind Kind { get; }

    /// <summary>The local the new instance initializes, if any.</summary>
    public ILocalSymbol? Local { get; }

    /// <summary>The local's declaration statement when it declares that local alone (what a fix can move).</summary>
    public LocalDeclarationStatementSyntax? Statement { get; }

    /// <summary>The function the creation runs in, per call; null in an initializer.</summary>
    public SyntaxNode? Function { get; }

    /// <summary>Whether the local is disposed by a <c>using</c> declaration or statement.</summary>
    public bool IsUsing { get; private set; }

    /// <summary>Whether the instance leaves the function: stored, returned, passed, captured by a nested function.</summary>
    public bool Escapes { get; private set; }

    /// <summary>Whether the function itself (not a nested function) waits on the instance.</summary>
    public bool WaitedOnHere { get; private set; }

    /// <summary>The creation, or null when it is not a type these analyzers know.</summary>
    public static Creation? Analyze(IObjectCreationOperation operation, ConcurrencyTypes types, bool includeSemaphoreSlim, CancellationToken cancellationToken)
    {
        var kind = Classify(operation, types, includeSemaphoreSlim);
        if (kind == StateKind.None)
        {
            return null;
        }

        var function = Functions.Enclosing(operation.Syntax);
        var parent = operation.Parent;
        while (parent is IConversionOperation { IsImplicit: true })
        {
            parent = parent.Parent;
        }

        if (parent is IInvocationOperation invocation && invocation.Instance is { } instance && Unwrap(instance) == operation)
        {
            // new SemaphoreSlim(1).WaitAsync(): waited on at once, used nowhere else.
            var direct = new Creation(operation, kind, null, null, function) { WaitedOnHere = s_waits.Contains(invocation.TargetMethod.Name) };
            direct.Escapes = !direct.WaitedOnHere && !s_harmless.Contains(invocation.TargetMethod.Name);
            return direct;
        }

        if (parent is not IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator })
        {
            return new Creation(operation, kind, null, null, function) { Escapes = true };
        }

        var declaration = declarator.Syntax.Parent as VariableDeclarationSyntax;
        var statement = declaration?.Parent as LocalDeclarationStatementSyntax;
        var creation = new Creation(operation, kind, declarator.Symbol, declaration?.Variables.Count == 1 ? statement : null, function)
        {
            IsUsing = declaration?.Parent is UsingStatementSyntax || statement?.UsingKeyword.IsKind(SyntaxKind.UsingKeyword) == true,
        };
        if (function is not null && operation.SemanticModel is { } model)
        {
            creation.AnalyzeUses(function, model, cancellationToken);
        }
        else
        {
            creation.Escapes = true;
        }

        return creation;
    }

    /// <summary>How the new instance keeps its state; <see cref="StateKind.None"/> for types this does not know.</summary>
    public static StateKind Classify(IObjectCreationOperation operation, ConcurrencyTypes types, bool includeSemaphoreSlim)
    {
        var type = operation.Type;
        if (type is null)
        {
            return StateKind.None;
        }

        if (types.IsSemaphoreSlim(type))
        {
            return includeSemaphoreSlim ? StateKind.InInstance : StateKind.None;
        }

        if (ConcurrencyTypes.DerivesFrom(type, types.DistributedSemaphore))
        {
            return StateKind.RedisHandle;
        }

        if (type.ToDisplayString() == "Throttle.Semaphores.InProcessSemaphore")
        {
            return StateKind.InInstance;
        }

        // Throttle's own limiters: without a storage (or with one made on the spot) each keeps its tokens in a memory
        // storage of its own. One over a shared storage keeps its state there and may be created per call.
        if (ConcurrencyTypes.DerivesFrom(type, types.ThrottleLimiter)
            && !ConcurrencyTypes.DerivesFrom(type, types.CompositeLimiter)
            && type.ContainingNamespace?.ToDisplayString() == "Throttle.Limiters")
        {
            var storage = operation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "storage");
            if (storage is null)
            {
                return StateKind.None;
            }

            var value = Unwrap(storage.Value);
            return storage.ArgumentKind == ArgumentKind.DefaultValue
                || value is IObjectCreationOperation
                || (value.ConstantValue.HasValue && value.ConstantValue.Value is null)
                ? StateKind.InInstance
                : StateKind.None;
        }

        return StateKind.None;
    }

    /// <summary>The words for what a per-call instance of <paramref name="kind"/> does wrong, for the messages.</summary>
    public static string Consequence(StateKind kind) => kind == StateKind.RedisHandle
        ? "every call opens its own Redis subscription, which stays open until the handle is disposed"
        : "every call gets its own and it limits nothing";

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private void AnalyzeUses(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken)
    {
        var local = Local!;
        foreach (var name in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText != local.Name || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
            {
                continue;
            }

            if (Functions.Enclosing(name) != function)
            {
                Escapes = true; // captured: a nested function may run many times per call, or later
                continue;
            }

            if (name.Parent is MemberAccessExpressionSyntax access && access.Expression == name)
            {
                if (access.Parent is InvocationExpressionSyntax call && call.Expression == access)
                {
                    var method = access.Name.Identifier.ValueText;
                    if (s_waits.Contains(method))
                    {
                        WaitedOnHere = true;
                    }
                    else if (!s_harmless.Contains(method))
                    {
                        Escapes = true; // e.g. limiter.AsRateLimiter(): a wrapper that may be handed on
                    }
                }

                continue; // a property read
            }

            Escapes = true; // an argument, an assignment, a return, a collection element, ...
        }
    }
}
