using System.Text.Json.Serialization;

namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>Reads and writes an enumeration by its JSON names only: a number is refused, not taken for a member.</summary>
public sealed class NamedEnumConverter<T>() : JsonStringEnumConverter<T>(namingPolicy: null, allowIntegerValues: false) where T : struct, Enum;
