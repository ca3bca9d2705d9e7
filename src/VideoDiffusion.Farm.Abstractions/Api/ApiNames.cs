using System.Text.Json;

namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>The names of the request's enumerations as the API writes them (from their JSON names), for the CLI's options.</summary>
public static class ApiNames
{
    public static string Name<T>(T value) where T : struct, Enum => JsonSerializer.Serialize(value).Trim('"');

    /// <summary>Every name of <typeparamref name="T"/>, joined by " | " (for help texts and errors).</summary>
    public static string All<T>() where T : struct, Enum => string.Join(" | ", Enum.GetValues<T>().Select(Name));

    public static bool TryParse<T>(string value, out T result) where T : struct, Enum
    {
        try
        {
            result = JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value));
            return true;
        }
        catch (JsonException)
        {
            result = default;
            return false;
        }
    }
}
