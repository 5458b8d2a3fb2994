using System.Diagnostics;
using System.Net;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Storage;
using FunctionsJobs.Core.Telemetry;
using FunctionsJobs.IntegrationTests.Orders;
using FunctionsJobs.IntegrationTests.Queues;
using FunctionsJobs.IntegrationTests.Thumbnails;
using FunctionsJobs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsJobs.IntegrationTests.Telemetry;

/// <summary>
/// What an operator's OpenTelemetry backend receives from the Host: one trace per order from its
/// HTTP request through its queue message to each step, the payment call and the SMTP send; one
/// per upload through its thumbnails; one per job run; and the queue and job metrics with their tags.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task An_order_is_one_trace_from_its_POST_through_the_queue_to_the_e_mail()
    {
        var telemetry = new TelemetryHarness();
        await using var orders = await OrdersHarness.StartAsync(fixture, configure: telemetry.Configure);
        telemetry.Attach(orders.Host.Services);
        await orders.SeedAsync("BEANS", 10);

        using var accepted = await orders.PostAsync(OrdersHarness.Body(SandboxPaymentGateway.Visa, (orders.Sku("BEANS"), 2)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var orderId = await OrdersHarness.OrderIdOfAsync(accepted);
        Assert.Equal(OrderStatus.Completed, (await orders.WaitForTerminalAsync(orderId)).Status);

        // The delivery's span ends after the handler returns: wait for it, not for the order.
        Activity? process = null;
        await QueueHarness.EventuallyAsync(
            () => Task.FromResult((process = telemetry.Spans.FirstOrDefault(s => s.DisplayName == "ProcessOrder" && Equals(s.GetTagItem("functionsjobs.order.id"), orderId))) is not null),
            "the ProcessOrder span of the order");

        var post = Assert.Single(telemetry.Spans, s => s.Kind == ActivityKind.Server && s.TraceId == process!.TraceId);
        Assert.Equal("/api/orders", post.GetTagItem("http.route"));
        Assert.Equal("POST", post.GetTagItem("http.request.method"));
        var trace = telemetry.Trace(post.TraceId);

        var send = Assert.Single(trace, s => s.DisplayName == $"send {orders.Options.QueueName}");
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(post.SpanId, send.ParentSpanId);

        // The queue message carried the producer's context: the delivery is its child, in the same trace.
        Assert.Equal(ActivityKind.Consumer, process!.Kind);
        Assert.Equal(send.SpanId, process.ParentSpanId);
        Assert.Equal(orders.Options.QueueName, process.GetTagItem("messaging.destination.name"));

        string[] steps = ["order ReserveStock", "order Charge", "order SendConfirmation"];
        var stepSpans = steps.Select(name => Assert.Single(trace, s => s.DisplayName == name)).ToList();
        Assert.All(stepSpans, s => Assert.Equal(process.SpanId, s.ParentSpanId));
        Assert.Equal(stepSpans[1].SpanId, Assert.Single(trace, s => s.DisplayName == "payment charge").ParentSpanId);
        var smtp = Assert.Single(trace, s => s.DisplayName == "smtp send");
        Assert.Equal(stepSpans[2].SpanId, smtp.ParentSpanId);
        Assert.Equal(ActivityKind.Client, smtp.Kind);
        Assert.All(trace, s => Assert.NotEqual(ActivityStatusCode.Error, s.Status));

        // The e-mail of that trace is the one maildev received.
        Assert.Single(await orders.MailsAsync(orderId));
    }

    [Fact]
    public async Task An_upload_is_one_trace_through_its_thumbnails()
    {
        var telemetry = new TelemetryHarness();
        await using var images = await ThumbnailHarness.StartAsync(fixture.Azurite.ConnectionString, configure: telemetry.Configure);
        telemetry.Attach(images.Host.Services);

        var id = await images.UploadAsync(TestImages.Jpeg(640, 480));
        await images.WaitForOutcomeAsync(id, "done");

        Activity? make = null;
        await QueueHarness.EventuallyAsync(
            () => Task.FromResult((make = telemetry.Spans.FirstOrDefault(s => s.DisplayName == "thumbnails make" && Equals(s.GetTagItem("functionsjobs.image.id"), id))) is not null),
            "the image's thumbnails span");
        var post = Assert.Single(telemetry.Trace(make!.TraceId), s => s.Kind == ActivityKind.Server);
        Assert.Equal("/api/images", post.GetTagItem("http.route"));
        Assert.Equal(post.SpanId, make.ParentSpanId);
        var generate = Assert.Single(telemetry.Trace(post.TraceId), s => s.DisplayName == "thumbnails generate");
        Assert.Equal(make.SpanId, generate.ParentSpanId);

        // The fallback event was sent inside the same trace, so a Host that dies before the in-process
        // work ends leaves the listener to continue it.
        Assert.Single(telemetry.Trace(post.TraceId), s => s.DisplayName == $"send {images.Settings.EventsQueue}" && s.ParentSpanId == post.SpanId);
    }

    [Fact]
    public async Task Queue_metrics_count_each_outcome_per_function_and_time_the_handler()
    {
        var telemetry = new TelemetryHarness();
        await using var orders = await OrdersHarness.StartAsync(
            fixture,
            new Dictionary<string, string> { ["FunctionsJobs:QueueDepthSampleInterval"] = "00:00:01" },
            telemetry.Configure);
        telemetry.Attach(orders.Host.Services);
        await orders.SeedAsync("BEANS", 10);
        var queue = orders.Options.QueueName;

        var ok = await OrdersHarness.OrderIdOfAsync(await orders.PostAsync(OrdersHarness.Body(SandboxPaymentGateway.Visa, (orders.Sku("BEANS"), 1))));
        await orders.WaitForTerminalAsync(ok);

        // Undecodable: poisoned at once by the listener. Wait for the move itself (storage), then for its count.
        await orders.Storage.Queue.SendMessageAsync("{ not json");
        var poison = orders.Host.Services.GetRequiredService<StorageAccount>().RawQueues.GetQueueClient(queue + "-poison");
        await QueueHarness.EventuallyAsync(
            async () => (await poison.ExistsAsync()).Value && (await poison.PeekMessagesAsync(1)).Value.Length == 1, "the message in the poison queue", TimeSpan.FromSeconds(60));

        List<(Dictionary<string, object?> Tags, OpenTelemetry.Metrics.MetricPoint Point)> messages = [];
        await QueueHarness.EventuallyAsync(
            () =>
            {
                messages = TelemetryHarness.Points(telemetry.FlushMetrics(), QueueFunctionMetrics.MessagesInstrument);
                return Task.FromResult(messages.Any(m => Equals(m.Tags["queue"], queue) && Equals(m.Tags["outcome"], "poisoned")));
            },
            "the poisoned message counted");

        var handled = Assert.Single(messages, m => Equals(m.Tags["queue"], queue) && Equals(m.Tags["outcome"], "handled"));
        Assert.Equal("ProcessOrder", handled.Tags["function"]);
        Assert.True(handled.Point.GetSumLong() >= 1);

        var metrics = telemetry.FlushMetrics();
        var duration = Assert.Single(TelemetryHarness.Points(metrics, QueueFunctionMetrics.DurationInstrument), p => Equals(p.Tags["queue"], queue) && Equals(p.Tags["outcome"], "handled"));
        Assert.Equal("ProcessOrder", duration.Tags["function"]);
        Assert.True(duration.Point.GetHistogramCount() >= 1);
        Assert.True(duration.Point.GetHistogramSum() > 0);

        // The depth gauges report every queue from the sampler, poison queues included.
        await QueueHarness.EventuallyAsync(
            () => Task.FromResult(TelemetryHarness.Points(telemetry.FlushMetrics(), QueueDepthGauges.DepthInstrument).Any(p => Equals(p.Tags["queue"], queue + "-poison") && p.Point.GetGaugeLastValueLong() == 1)),
            "the poison queue's depth gauge at 1");
    }

    [Fact]
    public async Task A_job_run_is_a_span_with_its_items_and_a_run_metric_with_its_outcome()
    {
        var telemetry = new TelemetryHarness();
        await using var orders = await OrdersHarness.StartAsync(fixture, configure: telemetry.Configure);
        telemetry.Attach(orders.Host.Services);

        using var run = orders.Host.Request(HttpMethod.Post, "/admin/functions/OrderSupervisor", TestHost.MasterKey);
        using var started = await orders.Host.Http.SendAsync(run);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);

        Activity? job = null;
        await QueueHarness.EventuallyAsync(() => Task.FromResult((job = telemetry.Spans.FirstOrDefault(s => s.DisplayName == "job OrderSupervisor")) is not null), "the job's span");
        Assert.Equal("Succeeded", job!.GetTagItem("functionsjobs.job.outcome"));
        Assert.Equal("Manual", job.GetTagItem("functionsjobs.job.trigger"));
        Assert.NotNull(job.GetTagItem("functionsjobs.job.items"));

        var runs = TelemetryHarness.Points(telemetry.FlushMetrics(), JobRunMetrics.RunsInstrument);
        Assert.Contains(runs, r => Equals(r.Tags["job"], "OrderSupervisor") && Equals(r.Tags["outcome"], "Succeeded") && Equals(r.Tags["trigger"], "Manual"));
    }
}

/// <summary>
/// The OpenTelemetry SDK subscribes to meters by name, process-wide: with other test Hosts running
/// alongside, it would merge their "FunctionsJobs" instruments with this Host's, and drop the merged
/// stream when that other Host stops. One Host per process, as in production, is what these tests
/// need, so they run on their own, after the parallel classes.
/// </summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection
{
}
