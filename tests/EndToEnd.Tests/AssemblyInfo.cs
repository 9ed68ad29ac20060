// One platform for the whole assembly: starting it is the expensive part.
[assembly: AssemblyFixture(typeof(EndToEnd.Tests.PlatformFixture))]
