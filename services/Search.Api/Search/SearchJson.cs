using System.Text.Json;
using System.Text.Json.Serialization;

namespace Search.Api.Search;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SearchDocument))]
[JsonSerializable(typeof(SearchResult))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
public sealed partial class SearchJson : JsonSerializerContext;
