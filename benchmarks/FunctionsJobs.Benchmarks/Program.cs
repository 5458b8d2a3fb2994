using FunctionsJobs.Benchmarks.BlobScan;
using FunctionsJobs.Benchmarks.Callbacks;
using FunctionsJobs.Benchmarks.Dashboard;
using FunctionsJobs.Benchmarks.Orders;
using FunctionsJobs.Benchmarks.QueueDispatch;
using FunctionsJobs.Benchmarks.SalesReport;
using FunctionsJobs.Benchmarks.Scheduling;
using FunctionsJobs.Benchmarks.Thumbnails;

// One subcommand per benchmark; each prints one line per figure and ends with a summary.
// A missed target is a result, not a failure: the exit code is 0 unless the run itself broke.
const string Usage = "usage: FunctionsJobs.Benchmarks queue-dispatch [--messages 2000] [--rounds 5] [--warmup 300] [--in-memory] [--telemetry]\n" +
                     "       FunctionsJobs.Benchmarks dashboard [--orders 10000] [--images 10000] [--requests 100]\n" +
                     "       FunctionsJobs.Benchmarks timer-lock [--iterations 200] [--rounds 3] [--warmup 20]\n" +
                     "       FunctionsJobs.Benchmarks orders [--orders 1000] [--rounds 3] [--warmup 200] [--clients 16] [--rate 32] [--idle-orders 10]\n" +
                     "       FunctionsJobs.Benchmarks thumbnails [--images 50] [--rounds 3] [--uploads 100] [--burst 200] [--large 8] [--phase all|generate|e2e|memory]\n" +
                     "       FunctionsJobs.Benchmarks sales-report [--orders 100000] [--small 10000] [--rounds 3]\n" +
                     "       FunctionsJobs.Benchmarks blob-scan [--paced 20] [--pace-ms 2000] [--burst 200] [--idle-blobs 10000] [--idle-seconds 60]\n" +
                     "       FunctionsJobs.Benchmarks callbacks [--orders 1000] [--rate 50] [--rounds 2] [--warmup 100]";

switch (args.FirstOrDefault())
{
    case "queue-dispatch":
        if (!QueueDispatchOptions.TryParse(args[1..], out var queueOptions, out var queueError))
        {
            Console.Error.WriteLine($"{queueError}\n{Usage}");
            return 2;
        }

        return await QueueDispatchCommand.RunAsync(queueOptions);
    case "dashboard":
        if (!DashboardBenchOptions.TryParse(args[1..], out var dashboardOptions, out var dashboardError))
        {
            Console.Error.WriteLine($"{dashboardError}\n{Usage}");
            return 2;
        }

        return await DashboardCommand.RunAsync(dashboardOptions);
    case "timer-lock":
        if (!TimerLockOptions.TryParse(args[1..], out var lockOptions, out var lockError))
        {
            Console.Error.WriteLine($"{lockError}\n{Usage}");
            return 2;
        }

        return await TimerLockCommand.RunAsync(lockOptions);
    case "orders":
        if (!OrdersBenchOptions.TryParse(args[1..], out var ordersOptions, out var ordersError))
        {
            Console.Error.WriteLine($"{ordersError}\n{Usage}");
            return 2;
        }

        return await OrdersCommand.RunAsync(ordersOptions);
    case "thumbnails":
        if (!ThumbnailsOptions.TryParse(args[1..], out var thumbnails, out var thumbnailsError))
        {
            Console.Error.WriteLine($"{thumbnailsError}\n{Usage}");
            return 2;
        }

        return await ThumbnailsCommand.RunAsync(thumbnails);
    case "sales-report":
        if (!SalesReportBenchOptions.TryParse(args[1..], out var salesOptions, out var salesError))
        {
            Console.Error.WriteLine($"{salesError}\n{Usage}");
            return 2;
        }

        return await SalesReportCommand.RunAsync(salesOptions);
    case "blob-scan":
        if (!BlobScanOptions.TryParse(args[1..], out var blobScanOptions, out var blobScanError))
        {
            Console.Error.WriteLine($"{blobScanError}\n{Usage}");
            return 2;
        }

        return await BlobScanCommand.RunAsync(blobScanOptions);
    case "callbacks":
        if (!CallbacksBenchOptions.TryParse(args[1..], out var callbacksOptions, out var callbacksError))
        {
            Console.Error.WriteLine($"{callbacksError}\n{Usage}");
            return 2;
        }

        return await CallbacksCommand.RunAsync(callbacksOptions);
    case SalesReportPhase.Command:
        return await SalesReportPhase.RunAsync(args[1..]);
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
