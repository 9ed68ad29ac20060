using Gateway;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddDefaultAuthentication();
builder.AddEdgeProtection();

var downstream = Downstream.Configured(builder.Configuration);
builder.Services.AddReverseProxy()
    .LoadFromMemory(Downstream.Routes(downstream), Downstream.Clusters(downstream))
    .AddServiceDiscoveryDestinationResolver(); // "http://catalog-api" → services__catalog-api__http__0
builder.AddDownstreamHealthChecks(downstream);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseEdgeProtection();
app.MapDefaultEndpoints();
app.MapReverseProxy();
app.MapUnroutedApiPaths(downstream);

app.Run();

public partial class Program;
