using System.Text.Json;

namespace VideoDiffusion.Farm.Diffusion.Models;

/// <summary>Reads and validates <c>manifest.json</c>; every refusal names the file and the field.</summary>
public static class ModelManifestLoader
{
    public const string ManifestFileName = "manifest.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public static ModelManifest Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelLoadException($"model folder '{folder}' does not exist");
        }
        var path = Path.Combine(folder, ManifestFileName);
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"{path}: missing; a model folder needs a {ManifestFileName}");
        }
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException e)
        {
            var jsonPath = e.Path?.TrimStart('$', '.') ?? "";
            var field = jsonPath.Length == 0 ? "" : $" at field '{jsonPath}'";
            throw new ModelLoadException($"{path}: invalid manifest{field}: {FirstLine(e.Message)}", e);
        }
        if (manifest is null)
        {
            throw new ModelLoadException($"{path}: the manifest is empty");
        }
        manifest = manifest with { Folder = Path.GetFullPath(folder) };
        Validate(manifest, path);
        return manifest;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    private static void Validate(ModelManifest m, string path)
    {
        void Require(bool ok, string field, string why)
        {
            if (!ok)
            {
                throw new ModelLoadException($"{path}: field '{field}' {why}");
            }
        }

        Require(!string.IsNullOrWhiteSpace(m.Name), "name", "must not be empty");
        Require(m.Latent.Channels > 0, "latent.channels", "must be positive");
        Require(m.Latent.SpatialFactor > 0, "latent.spatialFactor", "must be positive");
        Require(m.Latent.TemporalFactor > 0, "latent.temporalFactor", "must be positive");
        Require(m.Latent.Scaling > 0 && float.IsFinite(m.Latent.Scaling), "latent.scaling", "must be a positive number");
        Require(m.Video.Width > 0 && m.Video.Width % m.Latent.SpatialFactor == 0, "video.width",
            "must be positive and a multiple of latent.spatialFactor");
        Require(m.Video.Height > 0 && m.Video.Height % m.Latent.SpatialFactor == 0, "video.height",
            "must be positive and a multiple of latent.spatialFactor");
        Require(m.Video.Fps > 0, "video.fps", "must be positive");
        Require(m.Window.Min >= 1, "window.min", "must be at least 1");
        Require(m.Window.Max >= m.Window.Min, "window.max", "must be at least window.min");
        Require(m.Window.Native >= m.Window.Min && m.Window.Native <= m.Window.Max, "window.native",
            "must lie between window.min and window.max");
        Require(m.Sampler.Kind == "flow-match-euler", "sampler.kind", $"'{m.Sampler.Kind}' is not supported (flow-match-euler)");
        Require(m.Sampler.Shift > 0, "sampler.shift", "must be positive");
        Require(m.Sampler.DefaultSteps > 0, "sampler.defaultSteps", "must be positive");
        Require(m.Prediction == "velocity", "prediction", $"'{m.Prediction}' is not supported (velocity)");
        Require(m.Guidance.Default >= 0, "guidance.default", "must not be negative");
        Require(m.Guidance.Focus >= 0 && m.Guidance.Focus <= 8, "guidance.focus", "must be between 0 and 8");
        Require(m.Guidance.FirstFrame is null or >= 0 and <= 50, "guidance.firstFrame", "must be between 0 and 50");
        Require(m.Guidance.MultiWindow is null or >= 0 and <= 50, "guidance.multiWindow", "must be between 0 and 50");
        Require(m.Tokenizer.Kind == "word", "tokenizer.kind", $"'{m.Tokenizer.Kind}' is not supported (word)");
        Require(m.Tokenizer.MaxTokens > 0, "tokenizer.maxTokens", "must be positive");
        Require(m.Text.Dim > 0, "text.dim", "must be positive");
        Require(File.Exists(m.PathOf(m.Tokenizer.Vocabulary)), "tokenizer.vocabulary",
            $"names '{m.Tokenizer.Vocabulary}', which does not exist");
        RequireFile(m, path, "files.textEncoder", m.Files.TextEncoder);
        RequireFile(m, path, "files.denoiser", m.Files.Denoiser);
        RequireFile(m, path, "files.vaeDecoder", m.Files.VaeDecoder);
        if (m.Files.VaeEncoder is not null)
        {
            RequireFile(m, path, "files.vaeEncoder", m.Files.VaeEncoder);
        }
        if (m.Files.FirstFrame is not null)
        {
            RequireFile(m, path, "files.firstFrame", m.Files.FirstFrame);
            Require(m.Tensors.FirstFrame is not null, "tensors.firstFrame", "is required when files.firstFrame is set");
            Require(m.Conditioning.ContextLatents, "conditioning.contextLatents",
                "must be true when files.firstFrame is set (the video denoiser continues the first frame as context)");
        }
        if (m.Conditioning.ContextLatents)
        {
            Require(m.Tensors.Denoiser.Context is not null, "tensors.denoiser.context", "is required when conditioning.contextLatents is true");
            Require(m.Tensors.Denoiser.ContextMask is not null, "tensors.denoiser.contextMask", "is required when conditioning.contextLatents is true");
        }
        if (m.Conditioning.FrameStride)
        {
            Require(m.Tensors.Denoiser.FrameStride is not null, "tensors.denoiser.frameStride", "is required when conditioning.frameStride is true");
        }
        if (m.Conditioning.FrameStrides is { } strides)
        {
            Require(m.Conditioning.FrameStride, "conditioning.frameStrides", "needs conditioning.frameStride: the denoiser must be told the stride");
            Require(strides.Count > 0 && strides[0] == 1 && strides.Zip(strides.Skip(1)).All(p => p.First < p.Second),
                "conditioning.frameStrides", "must start at 1 and ascend");
        }
    }

    private static void RequireFile(ModelManifest m, string manifestPath, string field, string? file)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            throw new ModelLoadException($"{manifestPath}: field '{field}' must name an ONNX file");
        }
        if (!File.Exists(m.PathOf(file)))
        {
            throw new ModelLoadException($"{m.PathOf(file)}: missing (named by field '{field}' of {manifestPath})");
        }
    }
}
