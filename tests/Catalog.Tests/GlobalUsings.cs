global using System.Net;
global using System.Net.Http.Json;
global using Catalog.Api.Products;
global using Ecommerce.Testing;
global using Xunit;
