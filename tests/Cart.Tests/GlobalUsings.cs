global using System.Net;
global using System.Net.Http.Json;
global using Cart.Api.Stores;
global using Ecommerce.Testing;
global using Xunit;
