global using Ecommerce.Testing;
global using Xunit;
