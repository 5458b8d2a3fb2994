using FunctionsJobs.Testing;

namespace FunctionsJobs.Functions.Tests;

/// <summary>One in-memory Azurite and one maildev per test class, as the Functions app would use them under <c>func start</c>.</summary>
public sealed class AppFixture : StorageAndMail, IAsyncLifetime
{
}
