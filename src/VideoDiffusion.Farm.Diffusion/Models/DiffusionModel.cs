using VideoDiffusion.Farm.Diffusion.Decoding;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Models;

/// <summary>A loaded model folder: manifest, tokenizer and one ONNX session per part, created once and reused.</summary>
public sealed class DiffusionModel : IDisposable
{
    private DiffusionModel(ModelManifest manifest, WordTokenizer tokenizer, TextEncoder text, GuidedDenoiser denoiser, VaeDecoder decoder, GuidedDenoiser? firstFrame)
    {
        FirstFrame = firstFrame;
        Manifest = manifest;
        Tokenizer = tokenizer;
        TextEncoder = text;
        Denoiser = denoiser;
        Decoder = decoder;
    }

    public ModelManifest Manifest { get; }
    public WordTokenizer Tokenizer { get; }
    public TextEncoder TextEncoder { get; }
    public GuidedDenoiser Denoiser { get; }
    public VaeDecoder Decoder { get; }

    /// <summary>The one-frame model that lays out a clip's opening frame, when the model folder has one.</summary>
    public GuidedDenoiser? FirstFrame { get; }

    public static DiffusionModel Load(string folder, OnnxRuntimeSettings? settings = null)
    {
        settings ??= new OnnxRuntimeSettings();
        var manifest = ModelManifestLoader.Load(folder);
        var tokenizer = WordTokenizer.Load(manifest);
        TextEncoder? text = null;
        GuidedDenoiser? denoiser = null;
        GuidedDenoiser? firstFrame = null;
        try
        {
            text = new TextEncoder(manifest, tokenizer, settings);
            denoiser = new GuidedDenoiser(manifest, settings);
            firstFrame = GuidedDenoiser.FirstFrameOf(manifest, settings);
            var decoder = new VaeDecoder(manifest, settings);
            return new DiffusionModel(manifest, tokenizer, text, denoiser, decoder, firstFrame);
        }
        catch
        {
            text?.Dispose();
            denoiser?.Dispose();
            firstFrame?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        TextEncoder.Dispose();
        Denoiser.Dispose();
        FirstFrame?.Dispose();
        Decoder.Dispose();
    }
}
