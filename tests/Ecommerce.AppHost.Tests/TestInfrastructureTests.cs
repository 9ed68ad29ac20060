using Npgsql;
using StackExchange.Redis;

namespace Ecommerce.AppHost.Tests;

/// <summary>The shared fixture hands out isolated, real databases.</summary>
public sealed class TestInfrastructureTests(TestInfrastructure infrastructure)
{
    [Fact]
    public async Task Each_database_is_new_and_separate()
    {
        var first = await infrastructure.CreateDatabaseAsync("fixture");
        var second = await infrastructure.CreateDatabaseAsync("fixture");
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand("CREATE TABLE marker (id int); INSERT INTO marker VALUES (1);", connection);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var other = new NpgsqlConnection(second);
        await other.OpenAsync(TestContext.Current.CancellationToken);
        await using var query = new NpgsqlCommand("SELECT to_regclass('marker') IS NULL", other);
        Assert.True((bool)(await query.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }

    [Fact]
    public async Task Each_redis_database_is_empty_and_separate()
    {
        var first = await infrastructure.CreateRedisDatabaseAsync();
        var second = await infrastructure.CreateRedisDatabaseAsync();
        using var a = await ConnectionMultiplexer.ConnectAsync(first);
        using var b = await ConnectionMultiplexer.ConnectAsync(second);

        await a.GetDatabase().StringSetAsync("k", "from-a");

        Assert.Equal("from-a", (string?)await a.GetDatabase().StringGetAsync("k"));
        Assert.False(await b.GetDatabase().KeyExistsAsync("k"));
    }
}
