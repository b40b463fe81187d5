using System.Text.Json;

namespace NumoTelemetry.Dashboard.Tests.Analytics;

/// <summary>Reading the dashboard API's JSON in the analytics tests.</summary>
internal static class ApiJson
{
    /// <summary>GETs <paramref name="url"/>, asserting success.</summary>
    public static async Task<JsonDocument> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, url + " → " + (int)response.StatusCode + " " + text);
        return JsonDocument.Parse(text);
    }

    /// <summary>A top list's rows by label: value, visitors and conversion rate.</summary>
    public static Dictionary<string, (long Value, long Visitors, double? Conversion)> Rows(JsonDocument list)
    {
        var rows = new Dictionary<string, (long, long, double?)>(StringComparer.Ordinal);
        foreach (var row in list.RootElement.GetProperty("rows").EnumerateArray())
        {
            var conversion = row.GetProperty("conversionRate");
            rows[row.GetProperty("label").GetString()!] = (
                row.GetProperty("value").GetInt64(),
                row.GetProperty("visitors").GetInt64(),
                conversion.ValueKind == JsonValueKind.Number ? conversion.GetDouble() : null);
        }

        return rows;
    }

    /// <summary>A visitor count: a sketch estimate, exact or one below.</summary>
    public static void Visitors(long expected, long actual) =>
        Assert.True(actual == expected || actual == expected - 1, $"visitors {actual}, expected {expected} (or {expected - 1})");
}
