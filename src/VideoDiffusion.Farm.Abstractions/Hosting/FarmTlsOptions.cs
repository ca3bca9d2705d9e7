using System.Security.Cryptography.X509Certificates;

namespace VideoDiffusion.Farm.Abstractions.Hosting;

/// <summary>
/// Mutual TLS between silos and from the gateway (configuration section <c>Farm:Tls</c>): every process presents the
/// certificate of a PFX file and accepts only peers presenting the same certificate or one of the trusted thumbprints.
/// </summary>
public sealed class FarmTlsOptions
{
    /// <summary>A PKCS #12 (PFX) file with the certificate and its private key; TLS is on when set.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>SHA-1 thumbprints (hex) of further peer certificates to accept, e.g. the next certificate during a rotation.</summary>
    public List<string> TrustedThumbprints { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>The configured certificate with its private key; a clear error naming the setting when it cannot be read.</summary>
    public X509Certificate2 LoadCertificate()
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath!, CertificatePassword);
            return certificate.HasPrivateKey
                ? certificate
                : throw new InvalidOperationException($"Farm:Tls:CertificatePath: '{CertificatePath}' holds no private key");
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidOperationException($"Farm:Tls:CertificatePath: '{CertificatePath}' could not be read with Farm:Tls:CertificatePassword ({e.Message})", e);
        }
    }

    /// <summary>Whether a peer presenting <paramref name="remote"/> belongs to the cluster whose own certificate is <paramref name="local"/>.</summary>
    public bool Trusts(X509Certificate2? remote, X509Certificate2 local) =>
        remote is not null && (remote.Thumbprint.Equals(local.Thumbprint, StringComparison.OrdinalIgnoreCase)
                               || TrustedThumbprints.Any(t => t.Replace(":", "").Trim().Equals(remote.Thumbprint, StringComparison.OrdinalIgnoreCase)));
}
