using System.Text;
using System.Text.Json;

namespace Ecommerce.Http.Input;

/// <summary>
/// Walks a JSON body token by token and finds the first string (value or property name) a store could not hold,
/// with its path as the client wrote it (<c>shippingAddress.line1</c>, <c>lines[2].sku</c>). Malformed JSON is
/// left to the endpoint's binder, which answers it with its own 400. A <c>null</c> element of any array is refused too
/// (<c>"lines":[null]</c> is <c>lines[0]</c>): no endpoint documents nulls in a list as allowed.
/// </summary>
internal static class JsonTextScanner
{
    public const string NullElement = "A list may not contain null elements.";

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Index { get; set; } = -1;
        public string? Name { get; set; }
    }

    public static (string Field, string Error)? Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var frames = new Stack<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextItem(frames);
                        frames.Push(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        frames.Peek().Name = name;
                        if (TextRules.Error(name, TextKind.Line) is { } nameError) return (PathOf(frames), nameError);
                        break;
                    case JsonTokenType.String:
                        NextItem(frames);
                        if (TextRules.Error(reader.GetString()!, TextKind.FreeText) is { } valueError) return (PathOf(frames), valueError);
                        break;
                    case JsonTokenType.Null when frames.TryPeek(out var list) && list.IsArray:
                        // One rule for nulls in collections: no endpoint takes a null element (a line, an address, a
                        // variant, an image), so it is refused here, named by its path (lines[0]), not left to a handler.
                        NextItem(frames);
                        return (PathOf(frames), NullElement);
                    default:
                        NextItem(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null; // not JSON: the binder refuses it and says so
        }
        catch (InvalidOperationException)
        {
            // GetString throws this for an escaped lone surrogate ("\ud800") or bytes that are not UTF-8.
            return (PathOf(frames), "Is not valid Unicode text (an unpaired surrogate or invalid UTF-8).");
        }

        return null;
    }

    private static void NextItem(Stack<Frame> frames)
    {
        if (frames.TryPeek(out var top) && top.IsArray) top.Index++;
    }

    private static string PathOf(Stack<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames.Reverse())
        {
            if (frame.IsArray && frame.Index >= 0) path.Append('[').Append(frame.Index).Append(']');
            else if (!frame.IsArray && frame.Name is not null) path.Append(path.Length > 0 ? "." : "").Append(frame.Name);
        }

        return path.Length > 0 ? path.ToString() : "body";
    }
}
