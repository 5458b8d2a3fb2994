namespace FunctionsJobs.Functions.Tests.Http;

/// <summary>
/// Each request of <see cref="HttpCases"/> put to the Host over HTTP and to the Functions app's
/// [HttpTrigger] in-process: both give the expected answer, in one shape. Keys are not among the
/// cases: the Functions host checks them before the worker runs (FunctionKeyTests cover the Host's).
/// </summary>
public sealed class HttpParityTests(BothRuntimes runtimes) : IClassFixture<BothRuntimes>
{
    public static TheoryData<string> Cases => [.. HttpCases.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Both_runtimes_answer_alike(string name)
    {
        var @case = HttpCases.All.Single(c => c.Name == name);

        using var toHost = await @case.Request(runtimes);
        var host = await runtimes.SendAsync(Runtime.Host, toHost);
        using var toFunctions = await @case.Request(runtimes);
        var functions = await runtimes.SendAsync(Runtime.Functions, toFunctions);

        @case.Verify(host);
        @case.Verify(functions);
        Assert.Equal(HttpCase.Shape(host), HttpCase.Shape(functions));
    }
}
