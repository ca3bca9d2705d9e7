using System.Security.Cryptography;
using System.Text.Json;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;

namespace VideoDiffusion.Farm.Grains.Tenants;

/// <summary>An idempotency key: the job it started, a fingerprint of the request it came with, and when.</summary>
[GenerateSerializer]
public sealed record IdempotencyEntry(
    [property: Id(0)] string Key,
    [property: Id(1)] string JobId,
    [property: Id(2)] string RequestFingerprint,
    [property: Id(3)] DateTimeOffset UsedAt)
{
    /// <summary>
    /// SHA-256 of the request as the API serialises it (defaults filled in, fields in declaration order), so two bodies
    /// that mean the same request match whatever their field order, spacing or spelled-out defaults.
    /// </summary>
    public static string FingerprintOf(RenderJobRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request with { Tenant = "" }, ApiJson.Options)));
}
