using FunctionsJobs.Testing;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>One in-memory Azurite and one maildev per test class; each test has tables and a queue of its own.</summary>
public sealed class OrdersFixture : StorageAndMail, IAsyncLifetime
{
}
