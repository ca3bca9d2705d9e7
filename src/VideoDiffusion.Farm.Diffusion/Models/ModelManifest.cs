using System.Text.Json.Serialization;

namespace VideoDiffusion.Farm.Diffusion.Models;

/// <summary>The parsed <c>manifest.json</c> of a model folder (see docs/architecture.md, "The model contract").</summary>
public sealed record ModelManifest
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public bool Synthetic { get; init; }
    public required ModelFiles Files { get; init; }
    public required ModelTensorNames Tensors { get; init; }
    public required LatentGeometry Latent { get; init; }
    public required VideoGeometry Video { get; init; }
    public required WindowLimits Window { get; init; }
    public required SamplerSettings Sampler { get; init; }
    public string Prediction { get; init; } = "velocity";
    public required GuidanceSettings Guidance { get; init; }
    public required TokenizerSettings Tokenizer { get; init; }
    public required TextSettings Text { get; init; }
    public ConditioningSettings Conditioning { get; init; } = new();

    /// <summary>The folder the manifest was loaded from; file names resolve against it.</summary>
    [JsonIgnore]
    public string Folder { get; init; } = "";

    public string PathOf(string file) => Path.Combine(Folder, file);
}

/// <summary>
/// ONNX file names of the pipeline parts; the encoder is optional (only context from pixels needs it), and so is the
/// first-frame model (a one-frame denoiser that lays out a clip's opening frame before the video denoiser continues it).
/// </summary>
public sealed record ModelFiles(string TextEncoder, string Denoiser, string VaeDecoder, string? VaeEncoder = null, string? FirstFrame = null);

/// <summary>Names of the tensors the farm feeds and reads, per ONNX file.</summary>
public sealed record ModelTensorNames(
    TextEncoderTensors TextEncoder, DenoiserTensors Denoiser, VaeDecoderTensors VaeDecoder, VaeEncoderTensors? VaeEncoder = null,
    DenoiserTensors? FirstFrame = null);

public sealed record TextEncoderTensors(string InputIds, string TextStates);

/// <summary>
/// Denoiser tensor names. <c>GuidanceTextStates</c>, when named, takes the conditional prompt's text states on both rows of
/// a guidance pair, so a model that routes prompts (to one of several networks) routes both halves of the pair alike.
/// </summary>
public sealed record DenoiserTensors(
    string Sample, string Timestep, string TextStates, string Output,
    string? Context = null, string? ContextMask = null, string? FrameStride = null, string? GuidanceTextStates = null);

public sealed record VaeDecoderTensors(string Latent, string Image);

public sealed record VaeEncoderTensors(string Image, string Latent);

/// <summary>Latent video geometry: channels, pixel-to-latent factors and the scaling applied before the decoder.</summary>
public sealed record LatentGeometry(int Channels, int SpatialFactor, int TemporalFactor, float Scaling);

/// <summary>Pixel geometry and the native frame rate.</summary>
public sealed record VideoGeometry(int Width, int Height, int Fps);

/// <summary>Window lengths, in latent frames, the denoiser was trained for.</summary>
public sealed record WindowLimits(int Native, int Min, int Max);

public sealed record SamplerSettings(string Kind, float Shift, int DefaultSteps);

/// <summary>
/// Default guidance scale, how closely it follows the subject (<see cref="Sampling.FocusedGuidance"/>; 0 is plain), and
/// the first-frame model's own scale (null: the job's), which may lay out a frame best at another strength, and the
/// scale of passes whose frames other windows continue (null: the job's; see
/// <see cref="Plans.JobPlanner"/>): a window that continues its neighbour's frames continues their artefacts too, and
/// strong guidance amplifies them window after window.
/// </summary>
public sealed record GuidanceSettings(float Default, float Focus = 0f, float? FirstFrame = null, float? MultiWindow = null);

public sealed record TokenizerSettings(
    string Kind, string Vocabulary, int MaxTokens, int PadId, int UnknownId, bool Lowercase = true);

public sealed record TextSettings(int Dim);

/// <summary>
/// Which optional denoiser inputs exist, and the frame strides the denoiser was trained at (null: 1, 2, 4 and 8). A
/// long clip's keyframes are planned on these strides: a model that knows strides coarser than its keyframe stride gets
/// keyframe levels (see <see cref="Plans.JobPlanner"/>).
/// </summary>
public sealed record ConditioningSettings(bool ContextLatents = false, bool FrameStride = false, IReadOnlyList<int>? FrameStrides = null)
{
    private static readonly int[] DefaultFrameStrides = [1, 2, 4, 8];

    /// <summary>The strides the denoiser knows, ascending.</summary>
    public IReadOnlyList<int> TrainedStrides => FrameStrides ?? DefaultFrameStrides;
}
