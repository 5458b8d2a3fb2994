using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsJobs.Benchmarks.Orders;

/// <summary>
/// The same storage and SMTP operations per order, in the same order, with the SDK clients called
/// directly: no Kestrel, no HTTP, no validation, no queue listener, no workflow state machine, no
/// outbox claim logic. Clients insert the order, index it in the recent items (the Host's table, so
/// both sides meet the same table) and send its message; a receive loop with the
/// listener's batch size and threshold runs each message: read the order; per line read the stock
/// row and reserve in one transaction; checkpoint; charge row; checkpoint; outbox row; SMTP;
/// outbox Sent; checkpoint Completed; delete the message.
/// </summary>
internal static class BaselineOrders
{
    private const int BatchSize = 16;
    private const int NewBatchThreshold = 8;

    public static async Task<PhaseResult> RunAsync(BenchEnvironment bench, int orders, int clients, double? rate = null)
    {
        var names = bench.NewNames();
        var tables = bench.Account.Tables;
        TableClient ordersTable = tables.GetTableClient(names.Orders), inventory = tables.GetTableClient(names.Inventory), payments = tables.GetTableClient(names.Payments), outbox = tables.GetTableClient(names.Outbox);
        var recent = tables.GetTableClient(RecentItems.DefaultTable);
        var queue = bench.Account.Queues.GetQueueClient(names.Queue);
        await Task.WhenAll(ordersTable.CreateIfNotExistsAsync(), inventory.CreateIfNotExistsAsync(), payments.CreateIfNotExistsAsync(), outbox.CreateIfNotExistsAsync(), recent.CreateIfNotExistsAsync(), queue.CreateIfNotExistsAsync());
        var prices = new Dictionary<string, long>();
        foreach (var sku in BenchEnvironment.Skus)
        {
            await inventory.AddEntityAsync(new TableEntity(sku, InventoryStore.StockRowKey) { ["Name"] = sku, ["UnitPriceCents"] = 1000L, ["Available"] = int.MaxValue / 2 });
            prices[sku] = 1000;
        }

        var options = new OrdersOptions { SmtpPort = bench.Mail.SmtpPort };
        await using var smtp = new SmtpMailSender(options, NullLogger<SmtpMailSender>.Instance);
        var timings = new OrderTimings(orders);
        var before = bench.Requests.Requests;
        var start = Stopwatch.GetTimestamp();

        var producing = Parallel.ForEachAsync(Enumerable.Range(0, orders), new ParallelOptions { MaxDegreeOfParallelism = clients }, async (i, ct) =>
        {
            await BenchEnvironment.WaitForTurnAsync(i, start, rate, ct);
            var started = Stopwatch.GetTimestamp();
            var body = JsonSerializer.SerializeToElement(BenchEnvironment.Body(i), JobJson.Options);
            var now = DateTimeOffset.UtcNow;
            var order = new Order
            {
                Id = OrderId.New(now),
                CustomerEmail = body.GetProperty("customerEmail").GetString()!,
                PaymentToken = body.GetProperty("paymentToken").GetString()!,
                Lines = [.. body.GetProperty("items").EnumerateArray().Select(l => new OrderLine(l.GetProperty("sku").GetString()!, l.GetProperty("quantity").GetInt32(), prices[l.GetProperty("sku").GetString()!]))],
                CreatedAt = now,
                UpdatedAt = now,
            };
            order.Record(new OrderStep(OrderSteps.Accept, now, 0, OrderSteps.Succeeded));
            await ordersTable.AddEntityAsync(OrderStore.ToEntity(order), ct);
            await recent.UpsertEntityAsync(RecentItems.EntityOf(RecentItems.Orders, order.Id, order.CreatedAt), TableUpdateMode.Replace, ct);
            await queue.SendMessageAsync(JsonSerializer.Serialize(new OrderMessage(order.Id), JobJson.Options), ct);
            timings.Submitted(order.Id, started);
        });

        var consuming = ConsumeAsync();
        await producing;
        await consuming.WaitAsync(OrdersCommand.PhaseTimeout);
        var result = timings.Result(bench.Requests.Requests - before);
        await bench.DropAsync(names);
        return result;

        async Task ConsumeAsync()
        {
            var inFlight = new List<Task>();
            var done = 0;
            while (Volatile.Read(ref done) < orders)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                if (inFlight.Count > NewBatchThreshold)
                {
                    await Task.WhenAny(inFlight);
                    continue;
                }

                QueueMessage[] batch = (await queue.ReceiveMessagesAsync(BatchSize, TimeSpan.FromMinutes(10))).Value;
                if (batch.Length == 0)
                {
                    await Task.Delay(inFlight.Count == 0 ? 100 : 10);
                    continue;
                }

                foreach (var message in batch)
                {
                    inFlight.Add(Task.Run(async () =>
                    {
                        await ProcessAsync(message);
                        Interlocked.Increment(ref done);
                    }));
                }
            }

            await Task.WhenAll(inFlight);
        }

        async Task ProcessAsync(QueueMessage message)
        {
            var id = message.Body.ToObjectFromJson<OrderMessage>(JobJson.Options)!.OrderId;
            var partition = OrderPartitions.PartitionKeyOf(id);
            var order = OrderStore.FromEntity((await ordersTable.GetEntityAsync<TableEntity>(partition, id)).Value);
            foreach (var line in order.Lines)
            {
                while (true)
                {
                    var stock = (await inventory.GetEntityAsync<TableEntity>(line.Sku, InventoryStore.StockRowKey)).Value;
                    stock["Available"] = stock.GetInt32("Available")!.Value - line.Quantity;
                    var reservation = new TableEntity(line.Sku, InventoryStore.ReservationRowKey(id)) { ["OrderId"] = id, ["Quantity"] = line.Quantity, ["State"] = "Reserved", ["ChangedAt"] = DateTimeOffset.UtcNow };
                    try
                    {
                        await inventory.SubmitTransactionAsync([new(TableTransactionActionType.UpdateReplace, stock, stock.ETag), new(TableTransactionActionType.Add, reservation)]);
                        break;
                    }
                    catch (TableTransactionFailedException ex) when (ex.Status == 412)
                    {
                        // Another order took stock of this SKU meanwhile: read it again, as the Host does.
                    }
                }
            }

            await CheckpointAsync(order, OrderStatus.StockReserved, OrderSteps.ReserveStock);
            await payments.AddEntityAsync(new TableEntity(id, "charge") { ["State"] = "Succeeded", ["ChargeId"] = $"ch_{id}", ["AmountCents"] = order.TotalCents, ["Currency"] = order.Currency, ["ChargedAt"] = DateTimeOffset.UtcNow });
            order.ChargeId = $"ch_{id}";
            await CheckpointAsync(order, OrderStatus.Paid, OrderSteps.Charge);
            var mail = OrderMail.Compose(order, OrderMailKind.Confirmation, options.MailFrom);
            var row = new TableEntity(id, MailOutbox.RowKeyOf(OrderMailKind.Confirmation)) { ["State"] = "Pending", ["MessageId"] = mail.MessageId, ["Attempts"] = 1, ["ClaimedUntil"] = DateTimeOffset.UtcNow.AddSeconds(30) };
            row.ETag = (await outbox.AddEntityAsync(row)).Headers.ETag ?? ETag.All;
            await smtp.SendAsync(mail, CancellationToken.None);
            row["State"] = "Sent";
            await outbox.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
            order.Record(new OrderStep(OrderSteps.SendConfirmation, DateTimeOffset.UtcNow, 1, OrderSteps.Succeeded));
            await CheckpointAsync(order, OrderStatus.Completed, OrderSteps.Complete);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            timings.Completed(id);
        }

        async Task CheckpointAsync(Order order, OrderStatus status, string step)
        {
            order.Status = status;
            order.UpdatedAt = DateTimeOffset.UtcNow;
            order.Record(new OrderStep(step, order.UpdatedAt, 1, OrderSteps.Succeeded));
            order.ETag = (await ordersTable.UpdateEntityAsync(OrderStore.ToEntity(order), order.ETag, TableUpdateMode.Replace)).Headers.ETag ?? ETag.All;
        }
    }
}
