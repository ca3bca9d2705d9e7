using Microsoft.ML.OnnxRuntime;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Decoding;

/// <summary>Latent frames -> pixel frames in [-1, 1], (frames, 3, H, W); decodes in chunks to bound memory.</summary>
public sealed class VaeDecoder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly VaeDecoderTensors _names;
    private readonly LatentGeometry _latent;
    private readonly VideoGeometry _video;

    public VaeDecoder(ModelManifest manifest, OnnxRuntimeSettings settings)
    {
        _names = manifest.Tensors.VaeDecoder;
        _latent = manifest.Latent;
        _video = manifest.Video;
        _session = OnnxSessionFactory.Create(manifest.PathOf(manifest.Files.VaeDecoder), settings, [_names.Latent], [_names.Image]);
    }

    /// <summary>Pixel frames produced per latent frame.</summary>
    public int TemporalFactor => _latent.TemporalFactor;

    public int PixelFrameSize => 3 * _video.Height * _video.Width;

    /// <summary>Decodes latent frames [start, start+count) into pixel frames, written to <paramref name="pixels"/>.</summary>
    public void Decode(LatentTensor latents, int start, int count, Span<float> pixels)
    {
        var frameSize = latents.FrameSize;
        var scaled = new float[count * frameSize];
        var source = latents.FrameRange(start, count);
        var inverse = 1f / _latent.Scaling;
        for (var i = 0; i < scaled.Length; i++)
        {
            scaled[i] = source[i] * inverse;
        }
        using var input = OrtValue.CreateTensorValueFromMemory(scaled, [count, latents.Channels, latents.Height, latents.Width]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, [_names.Latent], [input], [_names.Image]);
        var image = outputs[0].GetTensorDataAsSpan<float>();
        var expected = count * _latent.TemporalFactor * PixelFrameSize;
        if (image.Length != expected)
        {
            throw new InvalidOperationException($"VAE decoder returned {image.Length} values, expected {expected}");
        }
        image.CopyTo(pixels);
    }

    public void Dispose() => _session.Dispose();
}
