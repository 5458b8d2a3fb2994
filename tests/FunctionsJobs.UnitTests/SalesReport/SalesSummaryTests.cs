using System.Text;
using System.Text.Json;
using FunctionsJobs.Core.Orders;
using FunctionsJobs.Core.Queues;
using FunctionsJobs.Core.SalesReport;

namespace FunctionsJobs.UnitTests.SalesReport;

public sealed class SalesSummaryTests
{
    private static readonly DateOnly Day = new(2026, 11, 22);

    private static readonly Order[] Orders =
    [
        SalesOrders.Of("20261122-00000000000000000001", OrderStatus.Completed, new OrderLine("KETTLE", 1, 4500), new OrderLine("COFFEE-1KG", 2, 2490)),
        SalesOrders.Of("20261122-00000000000000000002", OrderStatus.Rejected, new OrderLine("SOLD-OUT", 3, 999)),
        SalesOrders.Of("20261122-00000000000000000003", OrderStatus.Completed, new OrderLine("COFFEE-1KG", 1, 2490)),
        SalesOrders.Of("20261122-00000000000000000004", OrderStatus.Failed, new OrderLine("COFFEE-1KG", 5, 2490)),
        SalesOrders.Of("20261122-00000000000000000005", OrderStatus.Paid, new OrderLine("KETTLE", 2, 4500)),
    ];

    [Fact]
    public void Counts_every_status_and_sells_only_what_completed_orders_were_charged()
    {
        var summary = Sum(Orders);

        Assert.Equal(
            """
            {
              "day": "2026-11-22",
              "currency": "EUR",
              "orders": 5,
              "lines": 6,
              "statuses": {
                "Accepted": 0,
                "StockReserved": 0,
                "Paid": 1,
                "Completed": 2,
                "Rejected": 1,
                "Failed": 1,
                "Compensated": 0
              },
              "skus": {
                "COFFEE-1KG": {
                  "ordered": 8,
                  "sold": 3,
                  "revenueCents": 7470
                },
                "KETTLE": {
                  "ordered": 3,
                  "sold": 1,
                  "revenueCents": 4500
                },
                "SOLD-OUT": {
                  "ordered": 3,
                  "sold": 0,
                  "revenueCents": 0
                }
              },
              "totals": {
                "ordered": 14,
                "sold": 4,
                "revenueCents": 11970
              }
            }

            """.ReplaceLineEndings("\n"),
            Encoding.UTF8.GetString(summary.ToJson(Day)));
    }

    [Fact]
    public void The_JSON_does_not_depend_on_the_order_the_orders_came_in_nor_on_a_trip_through_a_checkpoint()
    {
        var forward = Sum(Orders).ToJson(Day);
        var backward = Sum(Orders.Reverse()).ToJson(Day);
        var checkpoint = new SalesReportCheckpoint("2026-11-22", 3, Orders[^1].Id, 2, 100, 6, Sum(Orders));
        var restored = JsonSerializer.Deserialize<SalesReportCheckpoint>(JsonSerializer.SerializeToUtf8Bytes(checkpoint, JobJson.Options), JobJson.Options)!;

        Assert.Equal(forward, backward);
        Assert.Equal(forward, restored.Summary.ToJson(Day));
        Assert.Equal(forward, restored.Summary.Clone().ToJson(Day));
    }

    [Fact]
    public void A_day_without_orders_still_lists_every_status()
    {
        var json = JsonDocument.Parse(new SalesSummary().ToJson(Day));

        Assert.Equal(Enum.GetNames<OrderStatus>(), json.RootElement.GetProperty("statuses").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, json.RootElement.GetProperty("totals").GetProperty("revenueCents").GetInt64());
        Assert.Empty(json.RootElement.GetProperty("skus").EnumerateObject());
    }

    [Fact]
    public void A_clone_counts_on_without_changing_the_original()
    {
        var original = Sum(Orders.Take(2));
        var before = original.ToJson(Day);

        var clone = original.Clone();
        clone.Add(Orders[2]);

        Assert.Equal(before, original.ToJson(Day));
        Assert.Equal(3, clone.Orders);
    }

    private static SalesSummary Sum(IEnumerable<Order> orders)
    {
        var summary = new SalesSummary();
        foreach (var order in orders)
        {
            summary.Add(order);
        }

        return summary;
    }
}
