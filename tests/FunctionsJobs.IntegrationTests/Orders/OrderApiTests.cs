using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Orders;

/// <summary>POST /api/orders and GET /api/orders/{id} on the real Host, end to end through its queue listener.</summary>
public sealed class OrderApiTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task An_order_is_accepted_with_202_location_and_retry_after_then_completes_with_its_history()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("BEANS", 10, 2490);

        using var accepted = await orders.PostAsync(OrdersHarness.Body(SandboxPaymentGateway.Visa, (orders.Sku("BEANS"), 2)));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = await OrdersHarness.OrderIdOfAsync(accepted);
        Assert.True(OrderId.IsValid(id), id);
        Assert.Equal($"/api/orders/{id}", accepted.Headers.Location?.OriginalString);
        Assert.Equal(TimeSpan.FromSeconds(1), accepted.Headers.RetryAfter?.Delta);

        // The order and its message are stored before the answer: the record exists at once.
        Assert.NotNull(await orders.Host.Services.GetRequiredService<OrderStore>().GetAsync(id, default));

        await orders.WaitForTerminalAsync(id);
        using var status = await orders.Host.Http.SendAsync(orders.Host.Request(HttpMethod.Get, $"/api/orders/{id}", TestHost.FunctionKey));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var view = await status.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Completed", view.GetProperty("status").GetString());
        Assert.Equal(4980, view.GetProperty("totalCents").GetInt64());
        Assert.False(view.TryGetProperty("paymentToken", out _));
        var steps = view.GetProperty("history").EnumerateArray().Select(h => (Step: h.GetProperty("step").GetString(), Attempt: h.GetProperty("attempt").GetInt64(), At: h.GetProperty("at").GetDateTimeOffset())).ToList();
        Assert.Equal(["Accept", "ReserveStock", "Charge", "SendConfirmation", "Complete"], steps.Select(s => s.Step));
        Assert.Equal([0L, 1L, 1L, 1L, 1L], steps.Select(s => s.Attempt));
        Assert.Equal(steps.Select(s => s.At).Order(), steps.Select(s => s.At));
        Assert.Null(status.Headers.RetryAfter);
        Assert.Single(await orders.MailsAsync(id));
    }

    [Fact]
    public async Task The_same_idempotency_key_and_body_give_the_same_order_once_and_another_body_gets_422()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("CUP", 10);
        var body = OrdersHarness.Body(SandboxPaymentGateway.Visa, (orders.Sku("CUP"), 1));

        // Two at once and one after: one order.
        var racing = await Task.WhenAll(orders.PostAsync(body, "key-1"), orders.PostAsync(body, "key-1"));
        using var again = await orders.PostAsync(body, "key-1");
        var ids = new List<string>();
        foreach (var response in racing.Append(again))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add(await OrdersHarness.OrderIdOfAsync(response));
            response.Dispose();
        }

        var id = Assert.Single(ids.Distinct());
        await orders.WaitForTerminalAsync(id);
        Assert.Equal(9, await orders.AvailableAsync("CUP"));

        // Property order and whitespace do not make another request; another quantity does.
        using var reordered = await orders.PostRawAsync(
            $$"""{ "paymentToken": "tok_visa", "items": [ { "quantity": 1, "sku": "{{orders.Sku("CUP")}}" } ], "customerEmail": "{{OrdersHarness.Customer}}" }""", "application/json", "key-1");
        Assert.Equal(id, await OrdersHarness.OrderIdOfAsync(reordered));
        using var other = await orders.PostAsync(OrdersHarness.Body(SandboxPaymentGateway.Visa, (orders.Sku("CUP"), 2)), "key-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, problem.GetProperty("orderId").GetString());
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);

        using var fresh = await orders.PostAsync(body, "key-2");
        Assert.NotEqual(id, await OrdersHarness.OrderIdOfAsync(fresh));
    }

    public static TheoryData<string, string, string[]> InvalidBodies => new()
    {
        { "malformed JSON", """{ "customerEmail": "a@b.com", "items": [ """, ["body"] },
        { "not an object", """[1, 2, 3]""", ["body"] },
        { "duplicate property", """{ "customerEmail": "a@b.com", "customerEmail": "c@d.com", "items": [{ "sku": "X", "quantity": 1 }], "paymentToken": "tok_visa" }""", ["body"] },
        { "missing fields", """{ }""", ["customerEmail", "items", "paymentToken"] },
        { "wrong types", """{ "customerEmail": 42, "items": { "sku": "X" }, "paymentToken": true }""", ["customerEmail", "items", "paymentToken"] },
        { "invalid e-mail", """{ "customerEmail": "Ada <ada@example.com>", "items": [{ "sku": "{SKU}", "quantity": 1 }], "paymentToken": "tok_visa" }""", ["customerEmail"] },
        { "e-mail without domain", """{ "customerEmail": "ada@", "items": [{ "sku": "{SKU}", "quantity": 1 }], "paymentToken": "tok_visa" }""", ["customerEmail"] },
        { "no lines", """{ "customerEmail": "a@b.com", "items": [], "paymentToken": "tok_visa" }""", ["items"] },
        {
            "zero, negative, fractional, absurd, string and missing quantities",
            """{ "customerEmail": "a@b.com", "items": [{ "sku": "A1", "quantity": 0 }, { "sku": "A2", "quantity": -3 }, { "sku": "A3", "quantity": 1.5 }, { "sku": "A4", "quantity": 1e30 }, { "sku": "A5", "quantity": 99999999999 }, { "sku": "A6", "quantity": "2" }, { "sku": "A7" }], "paymentToken": "tok_visa" }""",
            ["items[0].quantity", "items[1].quantity", "items[2].quantity", "items[3].quantity", "items[4].quantity", "items[5].quantity", "items[6].quantity"]
        },
        { "unknown SKU", """{ "customerEmail": "a@b.com", "items": [{ "sku": "{SKU}", "quantity": 1 }, { "sku": "NO-SUCH-THING", "quantity": 1 }], "paymentToken": "tok_visa" }""", ["items[1].sku"] },
        { "malformed SKU", """{ "customerEmail": "a@b.com", "items": [{ "sku": "lower case", "quantity": 1 }, { "sku": "", "quantity": 1 }, { "quantity": 1 }], "paymentToken": "tok_visa" }""", ["items[0].sku", "items[1].sku", "items[2].sku"] },
        { "duplicate SKUs", """{ "customerEmail": "a@b.com", "items": [{ "sku": "{SKU}", "quantity": 1 }, { "sku": "{SKU}", "quantity": 2 }], "paymentToken": "tok_visa" }""", ["items[1].sku"] },
        { "line not an object", """{ "customerEmail": "a@b.com", "items": [{ "sku": "{SKU}", "quantity": 1 }, "two"], "paymentToken": "tok_visa" }""", ["items[1]"] },
        { "token with spaces", """{ "customerEmail": "a@b.com", "items": [{ "sku": "{SKU}", "quantity": 1 }], "paymentToken": "tok visa" }""", ["paymentToken"] },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_input_gets_400_validation_problem_naming_every_invalid_field(string name, string body, string[] fields)
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        await orders.SeedAsync("REAL", 10);

        using var response = await orders.PostRawAsync(body.Replace("{SKU}", orders.Sku("REAL"), StringComparison.Ordinal), "application/json");

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(fields.Order(), problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        await AssertNoOrderStoredAsync(orders);
    }

    [Fact]
    public async Task Ten_thousand_lines_get_400_naming_the_line_limit()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        var body = OrdersHarness.Body(SandboxPaymentGateway.Visa, [.. Enumerable.Range(0, 10_000).Select(i => ($"S{i}", 1))]);

        using var response = await orders.PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("must have at most 100 lines, not 10000", Assert.Single(errors.GetProperty("items").EnumerateArray()).GetString());
        Assert.Single(errors.EnumerateObject());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_one_megabyte_body_gets_413_whether_or_not_it_announces_its_length(bool contentLength)
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);
        var big = $$"""{ "customerEmail": "a@b.com", "paymentToken": "tok_visa", "padding": "{{new string('x', 1024 * 1024)}}" }""";
        using var request = orders.Host.Request(HttpMethod.Post, "/api/orders", TestHost.FunctionKey);
        request.Content = contentLength
            ? new StringContent(big, Encoding.UTF8, "application/json")
            : new ChunkedContent(Encoding.UTF8.GetBytes(big));

        using var response = await orders.Host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("An order body may have at most 524288 bytes.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_body_that_is_not_json_gets_415(string? contentType)
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);

        using var response = await orders.PostRawAsync("""{ "customerEmail": "a@b.com" }""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("20260101-00000000000000000000", HttpStatusCode.NotFound)]
    [InlineData("not-an-order", HttpStatusCode.BadRequest)]
    [InlineData("20261399-0123456789abcdef0123", HttpStatusCode.BadRequest)]
    [InlineData("20260101-0123456789ABCDEF0123", HttpStatusCode.BadRequest)]
    public async Task Get_answers_404_for_an_unknown_order_and_400_for_a_malformed_id(string id, HttpStatusCode expected)
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);

        using var response = await orders.Host.Http.SendAsync(orders.Host.Request(HttpMethod.Get, $"/api/orders/{id}", TestHost.FunctionKey));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_status_shown_to_callers_gives_reasons_not_smtp_hosts_or_exception_text()
    {
        // Nothing listens on this port: every SMTP exchange fails with "Connection refused".
        var smtpPort = LoopbackPorts.Free(1)[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var orders = await OrdersHarness.StartAsync(fixture, new Dictionary<string, string> { [OrdersSettings.SmtpPort] = smtpPort });
        await orders.SeedAsync("TRAY", 5);
        var unmailed = await orders.AcceptAsync(SandboxPaymentGateway.Visa, (orders.Sku("TRAY"), 1));
        var unpaid = await orders.AcceptAsync(SandboxPaymentGateway.TransientAlways, (orders.Sku("TRAY"), 1));
        foreach (var id in new[] { unmailed, unpaid })
        {
            await Assert.ThrowsAsync<OrderRetryException>(() => orders.Workflow().HandleAsync(new OrderMessage(id), OrdersHarness.Delivery(1), default));
            await Assert.ThrowsAsync<OrderRetryException>(() => orders.Workflow().HandleAsync(new OrderMessage(id), OrdersHarness.Delivery(2), default));
            await orders.Workflow().HandleAsync(new OrderMessage(id), OrdersHarness.Delivery(3), default);
        }

        foreach (var (id, cause) in new[] { (unmailed, "the e-mail could not be sent"), (unpaid, "the payment provider did not answer") })
        {
            using var status = await orders.Host.Http.SendAsync(orders.Host.Request(HttpMethod.Get, $"/api/orders/{id}", TestHost.FunctionKey));
            var body = await status.Content.ReadAsStringAsync();
            var view = JsonDocument.Parse(body).RootElement;
            Assert.Equal("Failed", view.GetProperty("status").GetString());
            Assert.Equal($"gave up after attempt 3 of 3: {cause}", view.GetProperty("reason").GetString());
            Assert.Contains(view.GetProperty("history").EnumerateArray(), h => h.GetProperty("outcome").GetString() == OrderSteps.Retrying && h.GetProperty("detail").GetString() == cause);
            foreach (var internals in new[] { smtpPort, "127.0.0.1", "SMTP", "Exception", "refused", "sandbox", "tok_" })
            {
                Assert.DoesNotContain(internals, body, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task Both_routes_need_a_function_key()
    {
        await using var orders = await OrdersHarness.StartAsync(fixture);

        using var post = await orders.Host.Http.SendAsync(orders.Host.Request(HttpMethod.Post, "/api/orders"));
        using var get = await orders.Host.Http.SendAsync(orders.Host.Request(HttpMethod.Get, "/api/orders/20260101-00000000000000000000", "wrong-key-0000000000"));

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
    }

    private static async Task AssertNoOrderStoredAsync(OrdersHarness orders)
    {
        await foreach (var _ in orders.Storage.Orders.QueryAsync<Azure.Data.Tables.TableEntity>(maxPerPage: 1))
        {
            Assert.Fail("an invalid order was stored");
        }
    }

    /// <summary>A body sent without Content-Length (chunked), as a streaming client sends it.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
