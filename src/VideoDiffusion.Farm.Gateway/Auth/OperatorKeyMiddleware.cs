using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Problems;

namespace VideoDiffusion.Farm.Gateway.Auth;

/// <summary>
/// Lets only the operator through to the pages it guards (the Orleans dashboard): the operator key
/// (<see cref="GatewayOptions.OperatorKeySha256"/>) as <c>Authorization: Basic</c> (any user name, so a browser asks for
/// it once and sends it with every request of the page) or <c>Bearer</c>. Tenants' API keys are not accepted.
/// </summary>
public sealed class OperatorKeyMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    private readonly byte[] _hash = ApiKeyAuthenticator.ParseSha256(options.Value.OperatorKeySha256,
        "Farm:Gateway:OperatorKeySha256 must be 64 hex digits (the SHA-256 of the operator key)");

    public Task InvokeAsync(HttpContext context)
    {
        var key = KeyOf(context.Request);
        if (key is null || !CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(key))))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"farm operator\", charset=\"UTF-8\"";
            throw new ApiProblem(StatusCodes.Status401Unauthorized, "operatorKey",
                key is null ? "this page needs the operator key (HTTP Basic, any user name, or Authorization: Bearer)" : "the operator key is not valid");
        }
        return next(context);
    }

    /// <summary>The configured hash; the guarded pages are not served at all when none is configured.</summary>
    public static bool IsConfigured(GatewayOptions options) => !string.IsNullOrWhiteSpace(options.OperatorKeySha256);

    private static string? KeyOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                return pair.IndexOf(':') is >= 0 and var colon ? pair[(colon + 1)..] : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }
}
