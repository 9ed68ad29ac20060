using Cart.Api.Pricing;

namespace Cart.Api.Stores;

/// <summary>PostgreSQL has no TTL: this job deletes carts whose sliding expiry has passed.</summary>
public sealed partial class ExpiredCartCleanup(PostgresCartStore store, CartOptions options, TimeProvider time, ILogger<ExpiredCartCleanup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var deleted = await store.DeleteExpiredAsync(time.GetUtcNow(), stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex);
            }

            await Task.Delay(options.CleanupInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired carts")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deleting expired carts failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
