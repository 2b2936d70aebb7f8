using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Throttle.Generator.Diagnostics;
using Throttle.Generator.Parsing;

namespace Throttle.Analyzers.CodeFixes;

/// <summary>
/// THR004: rewrites the implementation method's signature to the one the generator expects of it. Which method it
/// implements and whether it matches are the generator's own rules (<see cref="ImplementationFinder"/>, compiled in);
/// the return type, type parameters, constraints and parameter types are copied from the attributed declaration. The
/// body stays: parameters keep their names where one of the same name or position is kept, so the body still binds
/// (docs/diagnostics.md#thr004).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ImplementationSignatureCodeFixProvider))]
[Shared]
public sealed class ImplementationSignatureCodeFixProvider : DeclarationCodeFixProvider<MethodDeclarationSyntax>
{
    /// <summary>The key that groups this fix for Fix All; never changes.</summary>
    public const string EquivalenceKey = "THR004.FixImplementationSignature";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.ImplementationSignatureMismatch.Id);

    /// <inheritdoc />
    private protected override string Key => EquivalenceKey;

    /// <inheritdoc />
    /// <remarks>
    /// Offers nothing when the method is the match of another Throttle method (an overload: changing it would break that
    /// one), when the attributed declaration is in another document, or when the body uses a parameter the fix removes.
    /// </remarks>
    private protected override string? Title(MethodDeclarationSyntax core, SemanticModel model, CancellationToken cancellationToken) =>
        Plan(core, model, cancellationToken) is { } plan ? $"Change the signature of '{core.Identifier.ValueText}' to match '{plan.Declaration.Identifier.ValueText}'" : null;

    /// <inheritdoc />
    private protected override async Task<Document> FixAsync(Document document, MethodDeclarationSyntax core, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Plan(core, model, cancellationToken) is not { } plan)
        {
            return document;
        }

        var declaration = plan.Declaration;
        var parameters = SyntaxFactory.SeparatedList(
            declaration.ParameterList.Parameters.Select((p, i) => p.WithIdentifier(SyntaxFactory.Identifier(plan.Names[i])).WithoutLeadingTrivia()),
            declaration.ParameterList.Parameters.Skip(1).Select(_ => SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space)));

        var modifiers = core.Modifiers;
        var returnType = declaration.ReturnType.WithTriviaFrom(core.ReturnType);
        if (plan.AddStatic)
        {
            var staticKeyword = SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            var afterAccessibility = modifiers.TakeWhile(m => m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)
                || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PublicKeyword)).Count();
            if (modifiers.Count == 0)
            {
                modifiers = SyntaxFactory.TokenList(staticKeyword.WithLeadingTrivia(returnType.GetLeadingTrivia()));
                returnType = returnType.WithoutLeadingTrivia();
            }
            else
            {
                modifiers = modifiers.Insert(afterAccessibility, afterAccessibility == 0 ? staticKeyword.WithLeadingTrivia(modifiers[0].LeadingTrivia) : staticKeyword);
                if (afterAccessibility == 0)
                {
                    modifiers = modifiers.Replace(modifiers[1], modifiers[1].WithLeadingTrivia());
                }
            }
        }

        var typeParameters = declaration.TypeParameterList?.WithoutTrivia();
        var fixedCore = core
            .WithModifiers(modifiers)
            .WithReturnType(returnType)
            .WithIdentifier(typeParameters is null ? core.Identifier : core.Identifier.WithTrailingTrivia())
            .WithTypeParameterList(typeParameters?.WithTrailingTrivia(core.TypeParameterList?.GetTrailingTrivia() ?? core.Identifier.TrailingTrivia))
            .WithParameterList(core.ParameterList.WithParameters(parameters))
            .WithConstraintClauses(SyntaxFactory.List(declaration.ConstraintClauses.Select(c => c.WithoutTrivia().WithLeadingTrivia(SyntaxFactory.Space))));

        // The constraint clauses, if any, go between the parameter list and the body, which keeps its own leading trivia.
        if (fixedCore.ConstraintClauses.Count > 0)
        {
            var closeParen = fixedCore.ParameterList.CloseParenToken;
            var lastClause = fixedCore.ConstraintClauses.Last();
            fixedCore = fixedCore
                .WithParameterList(fixedCore.ParameterList.WithCloseParenToken(closeParen.WithTrailingTrivia()))
                .WithConstraintClauses(fixedCore.ConstraintClauses.Replace(lastClause, lastClause.WithTrailingTrivia(closeParen.TrailingTrivia)));
        }

        return document.WithSyntaxRoot(root.ReplaceNode(core, fixedCore));
    }

    private sealed record SignaturePlan(MethodDeclarationSyntax Declaration, IReadOnlyList<string> Names, bool AddStatic);

    private static SignaturePlan? Plan(MethodDeclarationSyntax core, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetDeclaredSymbol(core, cancellationToken) is not IMethodSymbol coreSymbol)
        {
            return null;
        }

        var type = coreSymbol.ContainingType;
        var throttled = type.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.GetAttributes().Any(a => ThrottleAttributes.MetadataName(a) is not null)
                && ImplementationFinder.CoreName(m.Name) == coreSymbol.Name)
            .ToList();

        // Another Throttle method (an overload) calls this one as it is: leave it.
        if (throttled.Any(m => SymbolEqualityComparer.Default.Equals(ImplementationFinder.Find(m, coreSymbol.Name, out _), coreSymbol)))
        {
            return null;
        }

        var unmatched = throttled
            .Where(m => ImplementationFinder.Find(m, coreSymbol.Name, out var candidate) is null && SymbolEqualityComparer.Default.Equals(candidate, coreSymbol))
            .ToList();
        if (unmatched.Count != 1
            || unmatched[0].DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration
            || declaration.SyntaxTree != core.SyntaxTree
            || Unfinished(declaration))
        {
            return null;
        }

        var method = unmatched[0];
        var names = ParameterNames(method, coreSymbol);
        if (names is null)
        {
            return null;
        }

        // A parameter that goes away must not be used by the body, or the fixed method would not compile.
        var kept = new HashSet<string>(names);
        var removed = coreSymbol.Parameters.Where(p => !kept.Contains(p.Name)).ToList();
        var body = (SyntaxNode?)core.Body ?? core.ExpressionBody;
        if (removed.Count > 0 && body is not null
            && body.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => removed.Any(p => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, cancellationToken).Symbol, p))))
        {
            return null;
        }

        return new SignaturePlan(declaration, names, method.IsStatic && !coreSymbol.IsStatic);
    }

    /// <summary>
    /// A name for each parameter of <paramref name="method"/>: the implementation's parameter of the same name, else the
    /// one at the same position when its name is no other parameter's, else the attributed method's own name.
    /// </summary>
    private static IReadOnlyList<string>? ParameterNames(IMethodSymbol method, IMethodSymbol core)
    {
        var expected = method.Parameters.Select(p => p.Name).ToList();
        var names = new string?[expected.Count];
        var used = new HashSet<string>();
        for (var i = 0; i < expected.Count; i++)
        {
            if (core.Parameters.Any(p => p.Name == expected[i]))
            {
                names[i] = expected[i];
                used.Add(expected[i]);
            }
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (names[i] is null && i < core.Parameters.Length && !used.Contains(core.Parameters[i].Name) && !expected.Contains(core.Parameters[i].Name))
            {
                names[i] = core.Parameters[i].Name;
                used.Add(names[i]!);
            }
        }

        return names.Select((n, i) => SymbolText.Identifier(n ?? expected[i])).ToList();
    }
}
