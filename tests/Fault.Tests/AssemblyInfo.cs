// One platform for the whole suite: starting it is the expensive part; faults are injected one at a time.
[assembly: AssemblyFixture(typeof(Fault.Tests.FaultPlatform))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]
