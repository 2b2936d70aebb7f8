using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Throttle.Analyzers.Pitfalls;

/// <summary>
/// THR904: a Throttle limiter or semaphore made anew for each request (docs/diagnostics.md#thr904), where that is
/// certain from the code alone:
/// <list type="bullet">
/// <item>in the body of a minimal API handler (a lambda passed straight to <c>MapGet</c>, <c>MapPost</c>, ... of
/// <c>Microsoft.AspNetCore.Builder</c>) or of a controller action (a public instance method of a
/// <c>ControllerBase</c>); code in a lambda inside the handler is left alone;</item>
/// <item>in an instance field's initializer or an instance constructor's assignment to an instance field, of a
/// controller (created per request) or of a class the compilation registers with <c>AddTransient</c>,
/// <c>AddScoped</c>, their <c>TryAdd</c> forms or <c>AddHttpClient&lt;T&gt;</c> (a typed client is transient).</item>
/// </list>
/// Method-group handlers (<c>MapGet("/", Handle)</c>), registrations in other assemblies and factories are not followed.
/// <c>SemaphoreSlim</c> is left out: one per request that bounds the request's own fan-out is the right use of it. What
/// THR901 reports (created and waited on in one call) is not reported again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CreatedPerRequestAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Registration methods whose service lives shorter than the application, by name, with the words for one instance's life.</summary>
    private static readonly ImmutableDictionary<string, string> s_registrations = new Dictionary<string, string>
    {
        ["AddTransient"] = "resolution of the transient service",
        ["TryAddTransient"] = "resolution of the transient service",
        ["AddScoped"] = "scope (each request) of the scoped service",
        ["TryAddScoped"] = "scope (each request) of the scoped service",
        ["AddHttpClient"] = "resolution of the typed HttpClient (transient)",
    }.ToImmutableDictionary();

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(PitfallDescriptors.CreatedPerRequest);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = ConcurrencyTypes.From(start.Compilation);
            if (types.ThrottleLimiter is null && types.ThrottleSemaphore is null)
            {
                return;
            }

            // Instance-field creations wait for the end of the compilation, when every registration has been seen.
            var fieldCreations = new ConcurrentBag<(INamedTypeSymbol Type, IObjectCreationOperation Creation, StateKind Kind)>();
            var registered = new ConcurrentDictionary<INamedTypeSymbol, string>(SymbolEqualityComparer.Default);

            start.RegisterOperationAction(
                operation =>
                {
                    var creation = (IObjectCreationOperation)operation.Operation;
                    var kind = Creation.Classify(creation, types, includeSemaphoreSlim: false);
                    if (kind == StateKind.None)
                    {
                        return;
                    }

                    if (InstanceFieldOwner(creation, operation.CancellationToken) is { } owner)
                    {
                        if (ConcurrencyTypes.DerivesFrom(owner, types.ControllerBase))
                        {
                            operation.ReportDiagnostic(Report(creation, "controller instance (ASP.NET Core creates one per request)", kind));
                        }
                        else
                        {
                            fieldCreations.Add((owner, creation, kind));
                        }

                        return;
                    }

                    if (IsInHandler(creation, types, operation.CancellationToken)
                        && CreatedInWaitingCallAnalyzer.Find(creation, types, operation.CancellationToken) is null
                        && !IsStoredInMember(creation)
                        && !(kind == StateKind.RedisHandle && Creation.Analyze(creation, types, includeSemaphoreSlim: false, operation.CancellationToken)?.IsUsing == true))
                    {
                        operation.ReportDiagnostic(Report(creation, "request", kind));
                    }
                },
                OperationKind.ObjectCreation);

            start.RegisterOperationAction(
                operation =>
                {
                    var invocation = (IInvocationOperation)operation.Operation;
                    if (Registration(invocation) is { } registration)
                    {
                        registered.TryAdd(registration.Type, registration.Lifetime);
                    }
                },
                OperationKind.Invocation);

            start.RegisterCompilationEndAction(end =>
            {
                foreach (var (type, creation, kind) in fieldCreations)
                {
                    if (registered.TryGetValue(type, out var lifetime))
                    {
                        end.ReportDiagnostic(Report(creation, $"{lifetime} '{type.Name}'", kind));
                    }
                }
            });
        });
    }

    private static Diagnostic Report(IObjectCreationOperation creation, string perWhat, StateKind kind) =>
        Diagnostic.Create(PitfallDescriptors.CreatedPerRequest, creation.Syntax.GetLocation(), creation.Type!.Name, perWhat, Creation.Consequence(kind));

    /// <summary>The type whose instance field the creation initializes (in the field's initializer or an instance constructor), or null.</summary>
    internal static INamedTypeSymbol? InstanceFieldOwner(IObjectCreationOperation creation, CancellationToken cancellationToken)
    {
        var parent = creation.Parent;
        while (parent is IConversionOperation { IsImplicit: true })
        {
            parent = parent.Parent;
        }

        if (parent is IFieldInitializerOperation initializer)
        {
            var field = initializer.InitializedFields.FirstOrDefault();
            return field is { IsStatic: false } ? field.ContainingType : null;
        }

        if (parent is ISimpleAssignmentOperation { Target: IFieldReferenceOperation { Field.IsStatic: false, Instance: IInstanceReferenceOperation } target }
            && creation.Syntax.FirstAncestorOrSelf<ConstructorDeclarationSyntax>() is { } constructor
            && !constructor.Modifiers.Any(SyntaxKind.StaticKeyword)
            && Functions.Enclosing(creation.Syntax) == constructor)
        {
            return target.Field.ContainingType;
        }

        return null;
    }

    /// <summary>Whether the creation runs in the body of a minimal API handler lambda or a controller action, not in a function nested in it.</summary>
    internal static bool IsInHandler(IObjectCreationOperation creation, ConcurrencyTypes types, CancellationToken cancellationToken)
    {
        var function = Functions.Enclosing(creation.Syntax);
        var model = creation.SemanticModel;
        if (model is null)
        {
            return false;
        }

        if (function is AnonymousFunctionExpressionSyntax lambda)
        {
            return MapCall(lambda, model, cancellationToken) is not null;
        }

        return function is MethodDeclarationSyntax method
            && types.ControllerBase is not null
            && model.GetDeclaredSymbol(method, cancellationToken) is { IsStatic: false, DeclaredAccessibility: Accessibility.Public, MethodKind: MethodKind.Ordinary } action
            && ConcurrencyTypes.DerivesFrom(action.ContainingType, types.ControllerBase)
            && !action.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Microsoft.AspNetCore.Mvc.NonActionAttribute");
    }

    /// <summary>The <c>MapGet</c>-like call <paramref name="lambda"/> is passed to as a handler, or null.</summary>
    internal static InvocationExpressionSyntax? MapCall(AnonymousFunctionExpressionSyntax lambda, SemanticModel model, CancellationToken cancellationToken) =>
        lambda.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } }
        && model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { Name: var name } method
        && name.StartsWith("Map", System.StringComparison.Ordinal)
        && method.ContainingNamespace?.ToDisplayString() == "Microsoft.AspNetCore.Builder"
            ? call
            : null;

    /// <summary>Stored straight into a field or property (<c>s_limiter ??= new ...</c>): its lifetime is that member's, not the call's.</summary>
    private static bool IsStoredInMember(IObjectCreationOperation creation)
    {
        var parent = creation.Parent;
        while (parent is IConversionOperation { IsImplicit: true })
        {
            parent = parent.Parent;
        }

        return parent is IAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation };
    }

    private static (INamedTypeSymbol Type, string Lifetime)? Registration(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (!s_registrations.TryGetValue(method.Name, out var lifetime)
            || method.ContainingNamespace?.ToDisplayString() is not { } ns
            || !ns.StartsWith("Microsoft.Extensions.DependencyInjection", System.StringComparison.Ordinal))
        {
            return null;
        }

        // AddTransient<TService, TImplementation>() / AddTransient<T>() / AddHttpClient<TClient, TImplementation>(): the last type argument.
        if (method.IsGenericMethod && method.TypeArguments.LastOrDefault() is INamedTypeSymbol implementation
            && !invocation.Arguments.Any(a => a.Parameter?.Type is INamedTypeSymbol { DelegateInvokeMethod: not null } && a.ArgumentKind == ArgumentKind.Explicit))
        {
            return (implementation, lifetime);
        }

        // AddTransient(typeof(IService), typeof(Implementation)).
        var typeOf = invocation.Arguments.Select(a => a.Value).OfType<ITypeOfOperation>().LastOrDefault();
        return typeOf?.TypeOperand is INamedTypeSymbol named ? (named, lifetime) : null;
    }
}
