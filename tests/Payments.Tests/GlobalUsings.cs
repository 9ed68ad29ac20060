global using System.Net;
global using System.Net.Http.Json;
global using Ecommerce.Testing;
global using Xunit;
