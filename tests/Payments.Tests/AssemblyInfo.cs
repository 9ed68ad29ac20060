[assembly: AssemblyFixture(typeof(Ecommerce.Testing.TestInfrastructure))]
