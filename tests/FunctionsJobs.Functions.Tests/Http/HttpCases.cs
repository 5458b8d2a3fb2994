using System.Net.Http.Headers;
using System.Text;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Scheduling;
using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.Functions.Tests.Http;

/// <summary>The requests both runtimes must answer alike: every route's happy path and its bad input.</summary>
public static class HttpCases
{
    private const string Order = """{ "customerEmail": "ada@example.com", "items": [ { "sku": "COFFEE-1KG", "quantity": 1 } ], "paymentToken": "tok_visa" }""";
    private const string UnknownOrderId = "20260101-0123456789abcdef0123";
    private const string UnknownRunId = "0000000000000000001-0123abcd";

    public static IReadOnlyList<HttpCase> All { get; } =
    [
        // Orders
        new("place an order", _ => Post("/api/orders", Json(Order)), 202, Check: a =>
        {
            Assert.StartsWith("/api/orders/", a.Header("Location"), StringComparison.Ordinal);
            Assert.Equal("1", a.Header("Retry-After"));
            Assert.Equal("Accepted", a.Json().GetProperty("status").GetString());
        }),
        new("place an order as text/plain", _ => Post("/api/orders", new StringContent(Order, Encoding.UTF8, "text/plain")), 415, "Unsupported media type"),
        new("place an order without a content type", _ => Post("/api/orders", new ByteArrayContent(Encoding.UTF8.GetBytes(Order))), 415, "Unsupported media type"),
        new("place an order of 2 MB", _ => Post("/api/orders", Json(new string(' ', 2_000_000) + Order)), 413, "Order too large"),
        new("place malformed JSON", _ => Post("/api/orders", Json("{ \"customerEmail\": ")), 400, "The order is not valid"),
        new("place an order with bad fields", _ => Post("/api/orders", Json("""{ "customerEmail": "nobody", "items": [ { "sku": "NO-SUCH-SKU", "quantity": 0 } ] }""")), 400, "The order is not valid",
            a => Assert.True(a.Json().GetProperty("errors").EnumerateObject().Count() >= 2)),
        new("reuse an Idempotency-Key for another order", async r =>
        {
            var key = Guid.NewGuid().ToString("N");
            using var first = PostNow("/api/orders", Json(Order));
            first.Headers.Add(OrderIntake.IdempotencyKeyHeader, key);
            Assert.Equal(202, (await r.SendAsync(Runtime.Host, first)).Status);
            var second = PostNow("/api/orders", Json(Order.Replace("\"quantity\": 1", "\"quantity\": 2", StringComparison.Ordinal)));
            second.Headers.Add(OrderIntake.IdempotencyKeyHeader, key);
            return second;
        }, 422, "Idempotency-Key already used"),
        new("read an order", async r => GetNow($"/api/orders/{await PlaceAsync(r)}"), 200, Check: a => Assert.Equal("Completed", a.Json().GetProperty("status").GetString())),
        new("read a malformed order id", _ => Get("/api/orders/not-an-order"), 400, "Invalid order id"),
        new("read an order id with control characters", _ => Get("/api/orders/%01%02"), 400, "Invalid order id"),
        new("read an order id of 300 characters", _ => Get($"/api/orders/{new string('a', 300)}"), 400, "Invalid order id"),
        new("read an unknown order", _ => Get($"/api/orders/{UnknownOrderId}"), 404, "Order not found"),

        // Callbacks, reply queues and long-polls
        new("place an order with a Reply-To", _ => Post("/api/orders", Json(Order), ("Reply-To", "reply-parity"), ("Correlation-Id", "parity-1")), 202),
        new("place an order with a loopback Callback-Url", _ => Post("/api/orders", Json(Order), ("Callback-Url", "http://127.0.0.1/hooks")), 400, CallbackProblem,
            a => Assert.True(a.Json().GetProperty("errors").TryGetProperty("Callback-Url", out _))),
        new("place an order with a metadata-service Callback-Url", _ => Post("/api/orders", Json(Order), ("Callback-Url", "https://169.254.169.254/latest/meta-data/")), 400, CallbackProblem),
        new("place an order with a relative Callback-Url", _ => Post("/api/orders", Json(Order), ("Callback-Url", "/hooks")), 400, CallbackProblem),
        new("place an order with a Reply-To outside the reply- prefix", _ => Post("/api/orders", Json(Order), ("Reply-To", "orders")), 400, CallbackProblem,
            a => Assert.True(a.Json().GetProperty("errors").TryGetProperty("Reply-To", out _))),
        new("place an order with a Callback-Url and a Reply-To", _ => Post("/api/orders", Json(Order), ("Callback-Url", "https://[::1]/hooks"), ("Reply-To", "reply-parity")), 400, CallbackProblem),
        new("place an order with a Correlation-Id alone", _ => Post("/api/orders", Json(Order), ("Correlation-Id", "lonely")), 400, CallbackProblem),
        new("upload an image with a loopback Callback-Url", _ => Post("/api/images", Body(TestImages.Jpeg(8, 8), "image/jpeg"), ("Callback-Url", "http://[::1]:8080/hooks")), 400, CallbackProblem),
        new("upload an image with a bad Reply-To", _ => Post("/api/images", Body(TestImages.Jpeg(8, 8), "image/jpeg"), ("Reply-To", "reply-Not_A_Queue")), 400, CallbackProblem),
        new("read an order with Prefer: wait=1", async r => WithHeaders(GetNow($"/api/orders/{await PlaceAsync(r)}"), ("Prefer", "wait=1")), 200,
            Check: a => Assert.Equal("wait=1", a.Header("Preference-Applied"))),
        new("read an order with Prefer: wait=abc", _ => Get($"/api/orders/{UnknownOrderId}", ("Prefer", "wait=abc")), 400, PreferProblem,
            a => Assert.True(a.Json().GetProperty("errors").TryGetProperty("Prefer", out _))),
        new("read an order with Prefer: wait=31", _ => Get($"/api/orders/{UnknownOrderId}", ("Prefer", "wait=31")), 400, PreferProblem),
        new("read an image with Prefer: wait=-1", _ => Get("/api/images/no-such-image", ("Prefer", "wait=-1")), 400, PreferProblem),
        new("read an unknown image with Prefer: wait=5", _ => Get("/api/images/no-such-image", ("Prefer", "wait=5")), 404, "Image not found"),

        // Images
        new("upload an image", _ => Post("/api/images", Body(TestImages.Jpeg(64, 48), "image/jpeg")), 202, Check: a =>
        {
            Assert.StartsWith("/api/images/", a.Header("Location"), StringComparison.Ordinal);
            Assert.Equal(a.Header("Location"), a.Json().GetProperty("statusUrl").GetString());
        }),
        new("upload an empty body", _ => Post("/api/images", Body([], "image/jpeg")), 400, "No image"),
        new("upload text as an image", _ => Post("/api/images", Body(Encoding.UTF8.GetBytes("not an image"), "text/plain")), 415, "Unsupported image"),
        new("upload a body over ThumbnailMaxBytes", _ => Post("/api/images", Body(new byte[BothRuntimes.ThumbnailMaxBytes + 1], "image/jpeg")), 413, "Image too large"),
        new("upload a form with two files", _ =>
        {
            var form = new MultipartFormDataContent { { Body(TestImages.Jpeg(8, 8), "image/jpeg"), "a", "a.jpg" }, { Body(TestImages.Jpeg(8, 8), "image/jpeg"), "b", "b.jpg" } };
            return Post("/api/images", form);
        }, 400, "No image"),
        new("read an image's status", async r => GetNow($"/api/images/{await UploadAsync(r)}"), 200, Check: a => Assert.Equal("Done", a.Json().GetProperty("status").GetString())),
        new("read a malformed image id", _ => Get("/api/images/a..b"), 400, "Invalid image id"),
        new("read an unknown image", _ => Get("/api/images/no-such-image"), 404, "Image not found"),
        new("read a thumbnail of a malformed image id", _ => Get("/api/thumbnails/a..b/256.jpg"), 400, "Invalid image id"),
        new("read a thumbnail of an unknown image", _ => Get("/api/thumbnails/no-such-image/256.jpg"), 404, "Thumbnail not found"),
        new("read a thumbnail in another format", _ => Get("/api/thumbnails/no-such-image/256.png"), 404, "Thumbnail not found"),

        // Jobs
        new("list the jobs", _ => Get("/api/jobs"), 200, Check: a =>
            Assert.Equal(["NightlySalesReport", "OrderSupervisor", "RetentionCleanup", "ThumbnailReconciliation"], a.Json().EnumerateArray().Select(j => j.GetProperty("name").GetString()).Order(StringComparer.Ordinal))),
        new("list a job's runs", async r => GetNow($"/api/jobs/RetentionCleanup/runs?max=5&_={await RunAsync(r)}"), 200, Check: a => Assert.NotEmpty(a.Json().EnumerateArray())),
        new("list an unknown job's runs", _ => Get("/api/jobs/NoSuchJob/runs"), 404, "No such function"),
        new("list runs with max=0", _ => Get("/api/jobs/RetentionCleanup/runs?max=0"), 400, "Invalid max"),
        new("list runs with max=abc", _ => Get("/api/jobs/RetentionCleanup/runs?max=abc"), 400, "Invalid max"),
        new("list runs with max=1001", _ => Get("/api/jobs/RetentionCleanup/runs?max=1001"), 400, "Invalid max"),
        new("read a run", async r => GetNow($"/api/jobs/RetentionCleanup/runs/{await RunAsync(r)}"), 200, Check: a => Assert.Equal("RetentionCleanup", a.Json().GetProperty("jobName").GetString())),
        new("read a malformed run id", _ => Get("/api/jobs/RetentionCleanup/runs/not-a-run"), 400, "Invalid run id"),
        new("read an unknown run", _ => Get($"/api/jobs/RetentionCleanup/runs/{UnknownRunId}"), 404, "No such run"),
        new("read a run of an unknown job", _ => Get($"/api/jobs/NoSuchJob/runs/{UnknownRunId}"), 404, "No such function"),

        // Dashboard (admin level: the master key). Throughput is left out: each runtime counts what its own process handled.
        new("open the dashboard", _ => Admin("/api/dashboard"), 200, Check: a =>
        {
            Assert.StartsWith("text/html", a.ContentType, StringComparison.Ordinal);
            Assert.Contains("script-src 'nonce-", a.Header("Content-Security-Policy"), StringComparison.Ordinal);
        }),
        new("read the dashboard's jobs", _ => Admin("/api/dashboard/data/jobs"), 200, Check: a =>
            Assert.Equal(4, a.Json().EnumerateArray().Count())),
        new("read the dashboard's latest orders", async r => AdminNow($"/api/dashboard/data/orders?max=5&_={await PlaceAsync(r)}"), 200, Check: a =>
            Assert.Equal("Completed", a.Json().EnumerateArray().First().GetProperty("status").GetString())),
        new("read the dashboard's latest images", async r => AdminNow($"/api/dashboard/data/images?max=5&_={await UploadAsync(r)}"), 200, Check: a =>
            Assert.NotEmpty(a.Json().EnumerateArray())),
        new("read the dashboard's queues", _ => Admin("/api/dashboard/data/queues"), 200, Check: a =>
            Assert.Contains(a.Json().EnumerateArray(), q => q.GetProperty("name").GetString() == "orders")),
        new("read unknown dashboard data", _ => Admin("/api/dashboard/data/nothing"), 404, "Not found"),
        new("read the dashboard's orders with max=0", _ => Admin("/api/dashboard/data/orders?max=0"), 400, "Invalid max"),
    ];

    private const string CallbackProblem = "The callback is not valid";
    private const string PreferProblem = "Invalid Prefer header";

    private static Task<HttpRequestMessage> Admin(string path) => Task.FromResult(AdminNow(path));

    private static HttpRequestMessage AdminNow(string path)
    {
        var request = GetNow(path);
        request.Headers.Add("x-functions-key", TestHost.MasterKey);
        return request;
    }

    private static Task<HttpRequestMessage> Get(string path, params (string Name, string Value)[] headers) => Task.FromResult(WithHeaders(GetNow(path), headers));

    private static Task<HttpRequestMessage> Post(string path, HttpContent content, params (string Name, string Value)[] headers) =>
        Task.FromResult(WithHeaders(PostNow(path, content), headers));

    private static HttpRequestMessage WithHeaders(HttpRequestMessage request, params (string Name, string Value)[] headers)
    {
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static HttpRequestMessage GetNow(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage PostNow(string path, HttpContent content) => new(HttpMethod.Post, path) { Content = content };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static ByteArrayContent Body(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>An order the Host's workflow has finished, so both runtimes read one settled status.</summary>
    private static async Task<string> PlaceAsync(BothRuntimes runtimes)
    {
        using var request = PostNow("/api/orders", Json(Order));
        var id = (await runtimes.SendAsync(Runtime.Host, request)).Json().GetProperty("id").GetString()!;
        await runtimes.Host.Logs.WaitForAsync(
            e => e.Category == typeof(OrderWorkflow).FullName && Equals(e.Fields.GetValueOrDefault("OrderId"), id) && Equals(e.Fields.GetValueOrDefault("Status"), "Completed"),
            TimeSpan.FromSeconds(60));
        return id;
    }

    /// <summary>An image whose thumbnails are made, so both runtimes read one settled status.</summary>
    private static async Task<string> UploadAsync(BothRuntimes runtimes)
    {
        using var request = PostNow("/api/images", Body(TestImages.Jpeg(64, 48), "image/jpeg"));
        var id = (await runtimes.SendAsync(Runtime.Host, request)).Json().GetProperty("id").GetString()!;
        await runtimes.Host.Logs.WaitForAsync(
            e => e.Category == typeof(ThumbnailHandler).FullName && Equals(e.Fields.GetValueOrDefault("ImageId"), id) && e.Message.Contains(") done:", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        return id;
    }

    /// <summary>A finished run of RetentionCleanup, made through the shared runner.</summary>
    private static async Task<string> RunAsync(BothRuntimes runtimes)
    {
        var services = runtimes.Host.Services;
        var job = services.GetServices<IScheduledJob>().Single(j => j.Name == "RetentionCleanup");
        return (await services.GetRequiredService<JobRunner>().RunAsync(job, new JobRunRequest(JobTrigger.Manual), CancellationToken.None)).RunId;
    }
}
