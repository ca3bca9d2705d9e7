using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Problems;

namespace VideoDiffusion.Farm.Gateway.Auth;

/// <summary>The tenant a request acts for, whether it may only read, and the highest priority its submissions get (null: the gateway's).</summary>
public sealed record Caller(string Tenant, bool ReadOnly, int? MaxPriority = null);

/// <summary>
/// Finds the caller from the API key (<c>Authorization: Bearer</c>, <c>X-Api-Key</c>, or <c>?api_key=</c> for browsers'
/// EventSource and video elements, which cannot set headers). Keys are compared by hash, in constant time.
/// </summary>
public sealed class ApiKeyAuthenticator
{
    private readonly List<(byte[] Hash, Caller Caller)> _keys;

    public ApiKeyAuthenticator(IOptions<GatewayOptions> options)
    {
        _keys = options.Value.ApiKeys.Select(k => (ParseHash(k), new Caller(k.Tenant, k.ReadOnly, k.MaxPriority))).ToList();
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public Caller Authenticate(HttpRequest request)
    {
        var key = KeyOf(request) ?? throw new ApiProblem(StatusCodes.Status401Unauthorized, "apiKey",
            "an API key is required (Authorization: Bearer <key> or X-Api-Key)");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        Caller? found = null;
        foreach (var (expected, caller) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(expected, hash))
            {
                found = caller;
            }
        }
        return found ?? throw new ApiProblem(StatusCodes.Status401Unauthorized, "apiKey", "the API key is not valid");
    }

    private static string? KeyOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return NonEmpty(authorization["Bearer ".Length..].Trim());
        }
        return NonEmpty(request.Headers["X-Api-Key"].ToString()) ?? NonEmpty(request.Query["api_key"].ToString());
    }

    private static string? NonEmpty(string s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static byte[] ParseHash(ApiKeyEntry entry)
    {
        if (string.IsNullOrWhiteSpace(entry.Tenant))
        {
            throw new InvalidOperationException("Farm:Gateway:ApiKeys: every key needs a Tenant");
        }
        return ParseSha256(entry.Sha256, $"Farm:Gateway:ApiKeys: the key of tenant '{entry.Tenant}' needs Sha256 = 64 hex digits");
    }

    /// <summary>A SHA-256 given as 64 hex digits; otherwise an error with <paramref name="error"/>, which names the setting.</summary>
    public static byte[] ParseSha256(string? hex, string error)
    {
        try
        {
            var hash = Convert.FromHexString(hex ?? "");
            return hash.Length == 32 ? hash : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new InvalidOperationException(error);
        }
    }
}
