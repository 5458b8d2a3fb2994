using FunctionsJobs.Core.Thumbnails;
using FunctionsJobs.Host;

// First, before the runtime starts more threads: glibc fixes its arena limit once it has many arenas.
NativeHeap.LimitArenas();
return await HostApplication.RunAsync(args).ConfigureAwait(false);
