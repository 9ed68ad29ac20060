using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests;

/// <summary>One span as a service exported it over OTLP: enough to follow a trace across services.</summary>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string? ParentSpanId, string Name, int Kind);

/// <summary>
/// An OTLP/HTTP (protobuf) endpoint for the platform under test: the AppHost points every service's exporter here
/// (<c>--AppHost:OtlpEndpoint</c>), so a test sees the spans the dashboard would, from every process. Only traces are
/// kept; logs and metrics are accepted and dropped. The messages are walked with Google.Protobuf's reader by field number
/// (opentelemetry-proto's trace.proto) — no OTLP message package is served here, and only six fields are needed.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpTraceReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Read(body.ToArray());
            return Results.Ok();
        });
        app.MapPost("/v1/{signal}", () => Results.Ok());
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return receiver;
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private void Read(byte[] message)
    {
        foreach (var resourceSpans in Fields(message, 1))
        {
            string? service = null;
            var scopes = new List<byte[]>();
            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
            var input = new CodedInputStream(resourceSpans);
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: service = ServiceName(input.ReadBytes().ToByteArray()); break;
                    case 2: scopes.Add(input.ReadBytes().ToByteArray()); break;
                    default: input.SkipLastField(); break;
                }
            }

            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            foreach (var span in scopes.SelectMany(scope => Fields(scope, 2)))
            {
                _spans.Enqueue(ReadSpan(service ?? "?", span));
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; }
    private static ReceivedSpan ReadSpan(string service, byte[] span)
    {
        string traceId = "", spanId = "", name = "";
        string? parent = null;
        var kind = 0;
        var input = new CodedInputStream(span);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 4: parent = input.ReadBytes() is { Length: > 0 } p ? Convert.ToHexStringLower(p.Span) : null; break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }

        return new ReceivedSpan(service, traceId, spanId, parent, name, kind);
    }

    // Resource { repeated KeyValue attributes = 1; }  KeyValue { string key = 1; AnyValue value = 2; }  AnyValue { string string_value = 1; }
    private static string? ServiceName(byte[] resource)
    {
        foreach (var attribute in Fields(resource, 1))
        {
            string? key = null, value = null;
            var input = new CodedInputStream(attribute);
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: key = input.ReadString(); break;
                    case 2: value = Fields(input.ReadBytes().ToByteArray(), 1).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault(); break;
                    default: input.SkipLastField(); break;
                }
            }

            if (key == "service.name")
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Every length-delimited occurrence of one field of a message.</summary>
    private static List<byte[]> Fields(byte[] message, int fieldNumber)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == fieldNumber && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
