using System.Security.Cryptography;
using System.Text;

namespace VideoDiffusion.Farm.Diffusion.Models;

/// <summary>
/// A model's identity: SHA-256 over the files that decide what it renders — <c>manifest.json</c>, then every file the
/// manifest names in a fixed order (text encoder, denoiser, VAE decoder, VAE encoder, first-frame model, tokenizer
/// vocabulary). Each file contributes its name, its length and its bytes, so two folders hash alike only when those
/// files are byte for byte the same. Lower-case hex, 64 characters.
/// </summary>
public static class ModelContentHash
{
    /// <summary>The files hashed, relative to the model folder, in hashing order.</summary>
    public static IReadOnlyList<string> Files(ModelManifest manifest) =>
        new[]
        {
            ModelManifestLoader.ManifestFileName, manifest.Files.TextEncoder, manifest.Files.Denoiser, manifest.Files.VaeDecoder,
            manifest.Files.VaeEncoder, manifest.Files.FirstFrame, manifest.Tokenizer.Vocabulary,
        }.OfType<string>().ToList();

    public static string Of(ModelManifest manifest)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (var file in Files(manifest))
        {
            var path = manifest.PathOf(file);
            using var stream = File.OpenRead(path);
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\0"));
            hash.AppendData(BitConverter.GetBytes(stream.Length));
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
