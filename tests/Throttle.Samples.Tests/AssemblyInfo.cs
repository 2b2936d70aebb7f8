using Xunit;

// Every test starts one or two .NET processes; one test at a time keeps a small, shared machine responsive.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
