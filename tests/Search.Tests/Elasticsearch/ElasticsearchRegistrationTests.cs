using Elastic.Clients.Elasticsearch;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Search.Api.Engines.Elasticsearch;

namespace Search.Tests.Elasticsearch;

/// <summary><c>AddElasticsearchClient</c> reads Aspire's keys and fails early without a server address.</summary>
public sealed class ElasticsearchRegistrationTests
{
    private static HostApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return builder;
    }

    [Fact]
    public void The_connection_string_gives_one_shared_client_and_a_ready_health_check_named_elasticsearch()
    {
        var builder = Builder(("ConnectionStrings:elasticsearch", "http://search.example:9201"), ("Aspire:Elastic:Clients:Elasticsearch:HealthCheckTimeout", "1500"));

        builder.AddElasticsearchClient("elasticsearch");
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<ElasticsearchClient>();
        Assert.Same(client, host.Services.GetRequiredService<ElasticsearchClient>());
        Assert.Equal(new Uri("http://search.example:9201"), Assert.Single(client.ElasticsearchClientSettings.NodePool.Nodes).Uri);
        var check = Assert.Single(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.Equal(("elasticsearch", "ready", TimeSpan.FromMilliseconds(1500)), (check.Name, string.Join(',', check.Tags), check.Timeout));
    }

    [Fact]
    public void The_endpoint_setting_serves_when_there_is_no_connection_string_and_health_checks_can_be_turned_off()
    {
        var builder = Builder(("Aspire:Elastic:Clients:Elasticsearch:Endpoint", "http://other.example:9200"),
            ("Aspire:Elastic:Clients:Elasticsearch:DisableHealthChecks", "true"));

        builder.AddElasticsearchClient("elasticsearch");
        using var host = builder.Build();

        Assert.Equal(new Uri("http://other.example:9200"), Assert.Single(host.Services.GetRequiredService<ElasticsearchClient>().ElasticsearchClientSettings.NodePool.Nodes).Uri);
        Assert.Empty(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
    }

    [Fact]
    public void Without_a_server_address_start_up_fails_naming_the_key_to_set()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Builder().AddElasticsearchClient("elasticsearch"));

        Assert.Contains("ConnectionStrings__elasticsearch", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aspire__Elastic__Clients__Elasticsearch__Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_that_is_not_a_url_is_refused_at_start_up()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Builder(("ConnectionStrings:elasticsearch", "localhost:9200;ApiKey=x")).AddElasticsearchClient("elasticsearch"));

        Assert.Contains("ConnectionStrings__elasticsearch must be the server's URL", error.Message, StringComparison.Ordinal);
    }
}
