global using System.Net;
global using System.Net.Http.Json;
global using Ecommerce.Testing;
global using Identity.Api.Accounts;
global using Xunit;
