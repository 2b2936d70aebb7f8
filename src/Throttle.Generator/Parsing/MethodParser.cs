using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Model;

namespace Throttle.Generator.Parsing;

/// <summary>
/// Turns a method carrying Throttle attributes into a <see cref="MethodResult"/>: checks its shape, finds the
/// implementation method, reads each aspect's arguments. Runs once per method, in the pipeline of the method's first
/// Throttle attribute, so a method with several attributes yields one file.
/// </summary>
internal static class MethodParser
{
    public static MethodResult? Parse(GeneratorAttributeSyntaxContext context, string pipelineAttribute, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax declaration)
        {
            return null;
        }

        var attributes = method.GetAttributes()
            .Select(a => (Data: a, Name: ThrottleAttributes.MetadataName(a)))
            .Where(a => a.Name is not null)
            .ToList();
        var primary = ThrottleAttributes.InWrappingOrder.First(name => attributes.Any(a => a.Name == name));
        if (primary != pipelineAttribute)
        {
            return null;
        }

        // The compiler already reports errors in the method's types; anything said here would be noise.
        if (method.ReturnType.TypeKind == TypeKind.Error || method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error))
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var diagnostics = new List<DiagnosticInfo>();
        var coreName = ImplementationFinder.CoreName(method.Name);

        AttributeData? Find(string name) => attributes.FirstOrDefault(a => a.Name == name).Data;
        var queuedAttribute = Find(ThrottleAttributes.Queued);
        var circuitBreakerAttribute = Find(ThrottleAttributes.CircuitBreaker);
        var retryAttribute = Find(ThrottleAttributes.Retry);
        var rateLimitAttribute = Find(ThrottleAttributes.RateLimit);
        var semaphoreAttribute = Find(ThrottleAttributes.DistributedSemaphore);

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodNotPartial, LocationInfo.From(declaration.Identifier), method.Name, coreName));
            return Result(null, diagnostics);
        }

        // The body may be on this declaration or on a second partial declaration the user wrote (the generator never
        // sees its own output, so any implementation part here is the user's); either way there is nothing to generate.
        if (ImplementationFinder.UserWrittenBody(method, declaration, cancellationToken) is { } body)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AlreadyImplemented, LocationInfo.From(body), method.Name, coreName));
            return Result(null, diagnostics);
        }

        foreach (var type in declaration.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, LocationInfo.From(type.Identifier), type.Identifier.ValueText, method.Name));
            }
        }

        var returnKind = ClassifyReturn(method, context.SemanticModel.Compilation);
        if (returnKind is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnsupportedReturnType,
                LocationInfo.From(declaration.ReturnType),
                method.Name,
                (method.ReturnsByRef || method.ReturnsByRefReadonly ? "ref " : string.Empty) + method.ReturnType.ToDisplayString(SymbolText.Short)));
        }

        var passesStateToCallback = circuitBreakerAttribute is not null || retryAttribute is not null;
        CheckParameters(method, declaration, returnKind, passesStateToCallback, diagnostics);

        var core = ImplementationFinder.Find(method, coreName, out var candidate);
        if (core is null)
        {
            var expected = SymbolText.ExpectedImplementation(method, coreName);
            diagnostics.Add(candidate is null
                ? DiagnosticInfo.Create(DiagnosticDescriptors.ImplementationMissing, LocationInfo.From(declaration.Identifier), method.Name, expected)
                : DiagnosticInfo.Create(
                    DiagnosticDescriptors.ImplementationSignatureMismatch,
                    candidate.Locations.FirstOrDefault() is { IsInSource: true } location ? LocationInfo.From(location) : LocationInfo.From(declaration.Identifier),
                    candidate.Name,
                    method.Name,
                    expected));
        }

        var names = new MethodNames(method);
        var compilation = context.SemanticModel.Compilation;
        var runtime = RuntimeMemberFinder.Find(method, declaration, names, compilation, diagnostics);
        var queued = queuedAttribute is null ? null : QueuedParser.Parse(queuedAttribute, method, returnKind, names, compilation, diagnostics);
        var resilience = ResilienceParser.Parse(circuitBreakerAttribute, retryAttribute, compilation, names, diagnostics);
        var rateLimit = rateLimitAttribute is null ? null : RateLimitParser.Parse(rateLimitAttribute, method, names, compilation, diagnostics);
        var semaphore = semaphoreAttribute is null ? null : SemaphoreParser.Parse(semaphoreAttribute, method, names, compilation, diagnostics);

        var sharedNames = SharedNameClaims.Of(
            names.SiteId, rateLimit, rateLimitAttribute, resilience, circuitBreakerAttribute, semaphore, semaphoreAttribute, cancellationToken);

        // Warnings and infos (e.g. THR401) still let the wrapper be written; an error means there is nothing sound to write.
        if (diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) || core is null || returnKind is null)
        {
            return Result(null, diagnostics, sharedNames);
        }

        var model = new MethodModel(
            HintName: names.HintName,
            Namespace: method.ContainingNamespace.IsGlobalNamespace ? null : method.ContainingNamespace.ToDisplayString(),
            ContainingTypes: new EquatableArray<ContainingTypeModel>(ContainingTypes(method.ContainingType)),
            SelfType: method.ContainingType.ToDisplayString(SymbolText.Qualified),
            Modifiers: string.Join(" ", declaration.Modifiers.Select(m => m.Text)),
            ReturnType: method.ReturnType.ToDisplayString(SymbolText.Qualified),
            ReturnKind: returnKind.Value,
            Name: SymbolText.Identifier(method.Name),
            TypeParameters: SymbolText.TypeParameterList(method),
            ConstraintClauses: new EquatableArray<string>(ConstraintWriter.Clauses(method)),
            Parameters: new EquatableArray<ParameterModel>(method.Parameters.Select(p => Parameter(method, p))),
            IsStatic: method.IsStatic,
            CoreName: SymbolText.Identifier(coreName),
            CoreIsStatic: core.IsStatic,
            CancellationTokenName: method.Parameters
                .FirstOrDefault(p => p.Type.ToDisplayString() == "System.Threading.CancellationToken" && p.RefKind == RefKind.None) is { } token
                ? SymbolText.Identifier(token.Name)
                : null,
            ResultType: returnKind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT
                ? ((INamedTypeSymbol)method.ReturnType).TypeArguments[0].ToDisplayString(SymbolText.Qualified)
                : null,
            Runtime: runtime,
            Queued: queued,
            Resilience: resilience,
            RateLimit: rateLimit,
            Semaphore: semaphore);
        return Result(model, diagnostics, sharedNames);
    }

    private static MethodResult Result(MethodModel? model, List<DiagnosticInfo> diagnostics, EquatableArray<SharedNameClaim> sharedNames = default) =>
        new(model, new EquatableArray<DiagnosticInfo>(diagnostics), sharedNames);

    private static ReturnKind? ClassifyReturn(IMethodSymbol method, Compilation compilation)
    {
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return null;
        }

        if (method.ReturnsVoid)
        {
            return ReturnKind.Void;
        }

        var type = method.ReturnType;
        var definition = type.OriginalDefinition;
        if (Is(definition, compilation, "System.Threading.Tasks.Task"))
        {
            return ReturnKind.Task;
        }

        if (Is(definition, compilation, "System.Threading.Tasks.Task`1"))
        {
            return ReturnKind.TaskOfT;
        }

        if (Is(definition, compilation, "System.Threading.Tasks.ValueTask"))
        {
            return ReturnKind.ValueTask;
        }

        if (Is(definition, compilation, "System.Threading.Tasks.ValueTask`1"))
        {
            return ReturnKind.ValueTaskOfT;
        }

        // Blocking until a permit frees and then handing out a lazy async stream would not limit its items: refuse.
        if (Is(definition, compilation, "System.Collections.Generic.IAsyncEnumerable`1") || type.IsRefLikeType || type.TypeKind == TypeKind.Pointer)
        {
            return null;
        }

        return ReturnKind.Value;
    }

    private static bool Is(ITypeSymbol type, Compilation compilation, string metadataName) =>
        SymbolEqualityComparer.Default.Equals(type, compilation.GetTypeByMetadataName(metadataName));

    private static void CheckParameters(
        IMethodSymbol method, MethodDeclarationSyntax declaration, ReturnKind? returnKind, bool passesStateToCallback, List<DiagnosticInfo> diagnostics)
    {
        var isAsync = returnKind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var kind = parameter.RefKind switch
            {
                RefKind.Ref => "passed by 'ref'",
                RefKind.Out => "an 'out' parameter",
                _ when isAsync && parameter.Type.IsRefLikeType => $"of the ref struct type '{parameter.Type.ToDisplayString(SymbolText.Short)}', which cannot cross an await",
                _ when isAsync && parameter.Type.TypeKind == TypeKind.Pointer => "a pointer, which cannot cross an await",
                _ when passesStateToCallback && parameter.Type.IsRefLikeType =>
                    $"of the ref struct type '{parameter.Type.ToDisplayString(SymbolText.Short)}', which cannot be passed through the [CircuitBreaker]/[Retry] pipeline's callback",
                _ when passesStateToCallback && parameter.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer =>
                    "a pointer, which cannot be passed through the [CircuitBreaker]/[Retry] pipeline's callback",
                _ => null,
            };
            if (kind is not null)
            {
                var syntax = i < declaration.ParameterList.Parameters.Count ? declaration.ParameterList.Parameters[i] : null;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RefParameter, LocationInfo.From(syntax), parameter.Name, kind));
            }
        }
    }

    private static ParameterModel Parameter(IMethodSymbol method, IParameterSymbol parameter)
    {
        var modifiers = string.Empty;
        if (method.IsExtensionMethod && parameter.Ordinal == 0)
        {
            modifiers += "this ";
        }

        if (parameter.ScopedKind == ScopedKind.ScopedValue)
        {
            modifiers += "scoped ";
        }

        if (parameter.IsParams)
        {
            modifiers += "params ";
        }

        if (parameter.RefKind == RefKind.In)
        {
            modifiers += "in ";
        }

        return new ParameterModel(SymbolText.Identifier(parameter.Name), parameter.Type.ToDisplayString(SymbolText.Qualified), modifiers);
    }

    private static IEnumerable<ContainingTypeModel> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new Stack<INamedTypeSymbol>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            chain.Push(current);
        }

        foreach (var current in chain)
        {
            var keyword = current switch
            {
                { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
                { IsRecord: true } => "record",
                { TypeKind: TypeKind.Struct } => "struct",
                { TypeKind: TypeKind.Interface } => "interface",
                _ => "class",
            };
            var modifiers = (current.IsStatic ? "static " : string.Empty)
                + (current.IsReadOnly && current.TypeKind == TypeKind.Struct ? "readonly " : string.Empty)
                + (current.IsRefLikeType ? "ref " : string.Empty);
            var typeParameters = current.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", current.TypeParameters.Select(t => t.Name)) + ">";
            yield return new ContainingTypeModel($"{modifiers}partial {keyword} {SymbolText.Identifier(current.Name)}{typeParameters}");
        }
    }
}
