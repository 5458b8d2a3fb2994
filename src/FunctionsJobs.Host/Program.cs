using FunctionsJobs.Host;

return await HostApplication.RunAsync(args).ConfigureAwait(false);
