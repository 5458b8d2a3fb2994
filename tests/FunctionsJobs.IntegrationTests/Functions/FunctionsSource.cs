using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FunctionsJobs.IntegrationTests.Functions;

/// <summary>A <c>[Function]</c> method of src/FunctionsJobs.Functions as its attributes declare it.</summary>
/// <param name="Source">HTTP: <c>GET /api/route</c>; other triggers: the first attribute argument, e.g. <c>%OrdersQueueName%</c>.</param>
/// <param name="Settings">The <c>%Setting%</c> names of the trigger attribute.</param>
/// <param name="Connections">The <c>Connection</c> names of the trigger and output bindings.</param>
/// <param name="BindingSettings">The <c>%Setting%</c> names of every binding, the trigger's included.</param>
internal sealed record DeclaredFunction(
    string Name, string Trigger, string Source, IReadOnlyList<string> Settings, string? AuthLevel,
    IReadOnlyList<string> Connections, IReadOnlyList<string> BindingSettings, string Location);

/// <summary>
/// Reads the functions of the Functions project from its source with Roslyn's parser: the project
/// cannot be compiled where its packages are missing, yet the parity test must run everywhere.
/// Constants the attributes name (<c>RetentionSettings.FunctionName</c>, <c>OrderHttp.Route</c>) are
/// read by reflection from the Core and Host assemblies the project shares.
/// </summary>
internal static partial class FunctionsSource
{
    private static readonly Assembly[] SharedAssemblies = [typeof(Core.Settings.SettingNames).Assembly, typeof(Host.HostApplication).Assembly];

    public static string ProjectFolder => Path.Combine(Testing.RepositoryPaths.Root, "src", "FunctionsJobs.Functions");

    /// <summary>Every <c>.cs</c> file of the project outside bin/ and obj/.</summary>
    public static IReadOnlyList<(string Path, string Text)> ProjectFiles() =>
        [.. Directory.EnumerateFiles(ProjectFolder, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Select(p => (Path.GetRelativePath(Testing.RepositoryPaths.Root, p), File.ReadAllText(p)))];

    public static IReadOnlyList<DeclaredFunction> Read(IEnumerable<(string Path, string Text)> files)
    {
        var functions = new List<DeclaredFunction>();
        foreach (var (path, text) in files)
        {
            var root = CSharpSyntaxTree.ParseText(text, path: path).GetCompilationUnitRoot();
            var outputs = root.DescendantNodes().OfType<ClassDeclarationSyntax>().ToDictionary(c => c.Identifier.Text, OutputBindings);
            foreach (var method in root.DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                if (Attributes(method.AttributeLists).FirstOrDefault(a => Is(a, "Function")) is not { } function)
                {
                    continue;
                }

                var location = $"{path}:{method.GetLocation().GetLineSpan().StartLinePosition.Line + 1}";
                var name = Evaluate(function.ArgumentList!.Arguments[0].Expression, location);
                var triggers = method.ParameterList.Parameters.SelectMany(p => Attributes(p.AttributeLists)).Where(a => TriggerName(a) is not null).ToList();
                if (triggers.Count != 1)
                {
                    throw new InvalidOperationException($"{location}: [Function(\"{name}\")] has {triggers.Count} trigger attributes, not one");
                }

                var returned = method.ReturnType.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Select(i => i.Identifier.Text);
                var bindings = method.ParameterList.Parameters.SelectMany(p => Attributes(p.AttributeLists))
                    .Concat(returned.SelectMany(t => outputs.GetValueOrDefault(t) ?? []))
                    .ToList();
                functions.Add(Describe(name, triggers[0], bindings, location));
            }
        }

        return functions;
    }

    private static DeclaredFunction Describe(string name, AttributeSyntax trigger, IReadOnlyList<AttributeSyntax> bindings, string location)
    {
        var kind = TriggerName(trigger)!;
        var connections = bindings.Select(b => Named(b, "Connection")).OfType<ExpressionSyntax>().Select(e => Evaluate(e, location)).Distinct().Order(StringComparer.Ordinal).ToList();
        // An HTTP trigger's arguments are a key level and methods, never settings.
        var bindingSettings = bindings.Where(b => !Is(b, "HttpTrigger"))
            .SelectMany(b => Positional(b).Select(e => Evaluate(e, location)).SelectMany(SettingNames)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (kind == "httpTrigger")
        {
            var arguments = Positional(trigger).ToList();
            var level = arguments.FirstOrDefault(a => a is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "AuthorizationLevel" } }) as MemberAccessExpressionSyntax
                ?? throw new InvalidOperationException($"{location}: HttpTrigger without an AuthorizationLevel");
            var methods = arguments.Where(a => a is LiteralExpressionSyntax).Select(a => Evaluate(a, location).ToUpperInvariant()).ToList();
            var route = Named(trigger, "Route") is { } r ? Evaluate(r, location) : name;
            return new DeclaredFunction(name, kind, $"{string.Join(",", methods)} /api/{route}", [], level.Name.Identifier.Text.ToLowerInvariant(), connections, bindingSettings, location);
        }

        var source = Evaluate(Positional(trigger).First(), location);
        return new DeclaredFunction(name, kind, source, [.. SettingNames(source)], null, connections, bindingSettings, location);
    }

    /// <summary>The output bindings a class declares on its properties (a multi-output return type).</summary>
    private static IReadOnlyList<AttributeSyntax> OutputBindings(ClassDeclarationSyntax type) =>
        [.. type.Members.OfType<PropertyDeclarationSyntax>().SelectMany(p => Attributes(p.AttributeLists)).Where(a => AttributeName(a).EndsWith("Output", StringComparison.Ordinal))];

    private static string? TriggerName(AttributeSyntax attribute) => AttributeName(attribute) switch
    {
        "HttpTrigger" => "httpTrigger",
        "QueueTrigger" => "queueTrigger",
        "TimerTrigger" => "timerTrigger",
        "BlobTrigger" => "blobTrigger",
        "ServiceBusTrigger" => "serviceBusTrigger",
        var other when other.EndsWith("Trigger", StringComparison.Ordinal) => char.ToLowerInvariant(other[0]) + other[1..],
        _ => null,
    };

    private static IEnumerable<AttributeSyntax> Attributes(SyntaxList<AttributeListSyntax> lists) => lists.SelectMany(l => l.Attributes);

    private static bool Is(AttributeSyntax attribute, string name) => AttributeName(attribute) == name;

    private static string AttributeName(AttributeSyntax attribute)
    {
        var name = attribute.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.Text,
            SimpleNameSyntax s => s.Identifier.Text,
            _ => attribute.Name.ToString(),
        };
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
    }

    private static IEnumerable<ExpressionSyntax> Positional(AttributeSyntax attribute) =>
        attribute.ArgumentList?.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).Select(a => a.Expression) ?? [];

    private static ExpressionSyntax? Named(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == name)?.Expression;

    public static IEnumerable<string> SettingNames(string value) => SettingPattern().Matches(value).Select(m => m.Groups[1].Value);

    /// <summary>The constant string an attribute argument stands for; anything else fails the test loudly.</summary>
    private static string Evaluate(ExpressionSyntax expression, string location) => expression switch
    {
        LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression) => literal.Token.ValueText,
        BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression) => Evaluate(binary.Left, location) + Evaluate(binary.Right, location),
        ParenthesizedExpressionSyntax parenthesized => Evaluate(parenthesized.Expression, location),
        InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "nameof" } } nameOf => nameOf.ArgumentList.Arguments[0].Expression switch
        {
            MemberAccessExpressionSyntax member => member.Name.Identifier.Text,
            var other => other.ToString(),
        },
        MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax type } member => Constant(type.Identifier.Text, member.Name.Identifier.Text, location),
        _ => throw new InvalidOperationException($"{location}: cannot read '{expression}' as a constant string; use a literal, nameof or a const of Core/Host"),
    };

    private static string Constant(string typeName, string fieldName, string location)
    {
        var fields = SharedAssemblies.SelectMany(a => a.GetTypes())
            .Where(t => t.Name == typeName)
            .Select(t => t.GetField(fieldName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true })
            .ToList();
        return fields switch
        {
            [var field] => field!.GetRawConstantValue() as string ?? throw new InvalidOperationException($"{location}: {typeName}.{fieldName} is not a string"),
            [] => throw new InvalidOperationException($"{location}: no const {typeName}.{fieldName} in Core or Host"),
            _ => throw new InvalidOperationException($"{location}: {typeName}.{fieldName} is ambiguous across Core and Host"),
        };
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingPattern();
}
