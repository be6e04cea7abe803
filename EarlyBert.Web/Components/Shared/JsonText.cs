using System.Text.Json;

namespace EarlyBert.Web.Components.Shared;

/// <summary>Metadata values as people read them.</summary>
public static class JsonText
{
    /// <summary>A JSON string without its quotes; any other value as its JSON text (<c>8</c>, <c>true</c>, <c>{"a":1}</c>).</summary>
    public static string Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Undefined => "",
        _ => value.GetRawText(),
    };
}
