using System.Diagnostics;
using HdrHistogram;

namespace Ecommerce.Bench;

/// <summary>One request of a scenario: returns true when the answer was the expected one.</summary>
public delegate Task<bool> Request(HttpClient http, long sequence, CancellationToken cancellationToken);

/// <param name="ErrorKinds">What the errors were: "unexpected answer" (a status the scenario did not expect),
/// "timeout", or the transport failure's message — so a failed request in a report can be explained.</param>
public sealed record LoadResult(
    string Scenario, double OfferedRps, double AchievedRps, long Requests, long Errors,
    double P50Ms, double P95Ms, double P99Ms, double MaxMs, double DurationSeconds, double GeneratorCpuShare,
    IReadOnlyDictionary<string, long>? ErrorKinds = null);

/// <summary>
/// Open-loop load at a fixed rate with coordinated-omission-correct latency: each request has an intended
/// start time on a fixed schedule, and its latency is measured from that time, so a stalled server is
/// charged for the requests it kept waiting. With rate 0 it runs closed-loop at maximum speed instead.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(string name, Request request, double rate, TimeSpan duration, int connections, HttpClient http)
    {
        var histogram = new LongConcurrentHistogram(1, TimeStamp.Seconds(60), 3);
        long sent = 0, errors = 0;
        var errorKinds = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var end = duration.TotalSeconds;
        var interval = rate > 0 ? 1.0 / rate : 0;

        async Task Worker()
        {
            while (true)
            {
                var sequence = Interlocked.Increment(ref sent) - 1;
                double intended;
                if (rate > 0)
                {
                    intended = sequence * interval;
                    if (intended >= end)
                    {
                        return;
                    }

                    var wait = intended - clock.Elapsed.TotalSeconds;
                    if (wait > 0.001)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait));
                    }
                }
                else
                {
                    intended = clock.Elapsed.TotalSeconds;
                    if (intended >= end)
                    {
                        return;
                    }
                }

                string? error;
                try
                {
                    error = await request(http, sequence, CancellationToken.None) ? null : "unexpected answer";
                }
                catch (HttpRequestException ex)
                {
                    error = ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : ex.HttpRequestError.ToString();
                }
                catch (TaskCanceledException)
                {
                    error = "timeout";
                }

                var latency = clock.Elapsed.TotalSeconds - intended;
                histogram.RecordValue(Math.Max(1, (long)(latency * 1_000_000)));
                if (error is not null)
                {
                    Interlocked.Increment(ref errors);
                    errorKinds.AddOrUpdate(error, 1, (_, n) => n + 1);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(Worker)));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var count = histogram.TotalCount;
        double Ms(double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;
        return new LoadResult(name, rate, count / elapsed, count, errors, Ms(50), Ms(95), Ms(99), histogram.GetMaxValue() / 1000.0,
            elapsed, cpu / (elapsed * Environment.ProcessorCount), errorKinds.IsEmpty ? null : new SortedDictionary<string, long>(errorKinds, StringComparer.Ordinal));
    }

    public static HttpClient CreateClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        UseCookies = false,
    })
    { Timeout = TimeSpan.FromSeconds(30) };
}
