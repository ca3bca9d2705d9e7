using System.CommandLine;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Jobs;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>The job options shared by <c>render</c>, <c>bench</c> and <c>submit</c>, read into the wire <see cref="RenderJobRequest"/>.</summary>
public sealed class RenderOptions
{
    public Argument<string?> Prompt { get; } = new("prompt") { Description = "What the video shows", Arity = ArgumentArity.ZeroOrOne };
    public Option<FileInfo?> Storyboard { get; } = new("--storyboard") { Description = "JSON storyboard: {\"segments\":[{\"prompt\",\"from\",\"to\"}]} (seconds)" };
    public Option<double?> Seconds { get; } = new("--seconds") { Description = "Clip length in seconds (default 4, or the storyboard's end)" };
    public Option<int?> Fps { get; } = new("--fps") { Description = "Frames per second (default: the model's)" };
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Noise seed", DefaultValueFactory = _ => 42 };
    public Option<int?> Steps { get; } = new("--steps") { Description = "Sampler steps (default: the model's)" };
    public Option<float?> Guidance { get; } = new("--guidance") { Description = "Classifier-free guidance scale (default: the model's)" };
    public Option<float?> GuidanceFocus { get; } = new("--guidance-focus") { Description = "Focus guidance on the subject, 0 (plain) to 8 (default: the model's)" };
    public Option<float?> MultiWindowGuidance { get; } = new("--multi-window-guidance") { Description = "Guidance of the keyframe pass and of unanchored passes of several windows: autoregressive, plain co-denoise (default: the model's)" };
    public Option<string> Strategy { get; } = new("--strategy") { Description = ApiNames.All<JobStrategy>(), DefaultValueFactory = _ => ApiNames.Name(JobStrategy.CoDenoise) };
    public Option<int?> Window { get; } = new("--window") { Description = "Window length in latent frames (default: the model's native)" };
    public Option<int?> Overlap { get; } = new("--overlap") { Description = "Frames shared by neighbouring windows, at most window/2 (default window/4)" };
    public Option<int> SyncEvery { get; } = new("--sync-every") { Description = "Fuse overlaps every N steps; 0 = only at the end", DefaultValueFactory = _ => 1 };
    public Option<string> Blend { get; } = new("--blend") { Description = $"Overlap weights: {ApiNames.All<OverlapBlend>()}", DefaultValueFactory = _ => ApiNames.Name(OverlapBlend.Linear) };
    public Option<int?> KeyframeStride { get; } = new("--keyframe-stride") { Description = "Latent frames between keyframes (keyframes strategy)" };
    public Option<string> Anchors { get; } = new("--anchors")
    {
        Description = $"Co-denoise: anchor windows on a coarse keyframe pass ({ApiNames.All<KeyframeAnchoring>()}; auto: when more than one window)",
        DefaultValueFactory = _ => ApiNames.Name(KeyframeAnchoring.Auto),
    };
    public Option<bool?> FirstFrame { get; } = new("--first-frame")
    {
        Description = "Lay out the opening frame with the model's first-frame model, then continue the video from it: true | false (default: when the model has one)",
    };
    public Option<int> Batch { get; } = new("--batch") { Description = "Most window-steps per denoiser call", DefaultValueFactory = _ => 8 };
    public Option<string?> Model { get; } = new("--model") { Description = "Model folder or name (default models/moonwalk-tiny)" };
    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "ONNX Runtime threads per inference (default: the cores; the farm engine then runs one accelerator slot per core with one thread each)",
        DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount),
    };

    /// <summary>Most ONNX Runtime threads one inference may use.</summary>
    public const int MaxThreads = 64;

    /// <summary><c>--threads</c>, refused outside 1 to <see cref="MaxThreads"/> before anything runs.</summary>
    public int ThreadsOf(ParseResult result)
    {
        var threads = result.GetValue(Threads);
        OptionChecks.Require(threads is >= 1 and <= MaxThreads, "threads", $"threads must be between 1 and {MaxThreads} (got {threads})");
        return threads;
    }

    /// <summary>
    /// How the farm engine's silos share the cores: with <c>--threads</c> given, one slot per silo with that many
    /// threads; by default one slot per core with one thread each, so batches run side by side instead of splitting
    /// every operator over the cores while the silo's grain work competes for them.
    /// </summary>
    public (int SlotsPerSilo, int ThreadsPerSlot) FarmSlots(ParseResult result, int silos) =>
        result.GetResult(Threads) is { Implicit: false }
            ? (1, result.GetValue(Threads))
            : (Math.Max(1, Environment.ProcessorCount / silos), 1);

    /// <param name="local">Also the options of rendering in this process (batch size, threads); a cluster submission has none.</param>
    public void AddTo(Command command, bool local = true)
    {
        command.Arguments.Add(Prompt);
        var options = new Option[] { Storyboard, Seconds, Fps, Seed, Steps, Guidance, GuidanceFocus, MultiWindowGuidance, Strategy, Window, Overlap, SyncEvery, Blend, KeyframeStride, Anchors, FirstFrame, Model };
        foreach (var option in local ? [.. options, Batch, Threads] : options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The core's request for rendering in this process: the job request with the batch size.</summary>
    public RenderRequest ToRenderRequest(ParseResult result, RenderJobRequest request) =>
        JobRequestMapper.ToRenderRequest(request) with { MaxBatch = result.GetValue(Batch) };

    /// <summary>The request as the farm takes it; the model is left at its default.</summary>
    public RenderJobRequest ToJobRequest(ParseResult result)
    {
        var storyboardFile = result.GetValue(Storyboard);
        Storyboard? board = null;
        if (storyboardFile is not null)
        {
            if (!storyboardFile.Exists)
            {
                throw new PlanException("storyboard", $"storyboard file '{storyboardFile.FullName}' does not exist");
            }
            board = Diffusion.Planning.Storyboard.Parse(File.ReadAllText(storyboardFile.FullName));
        }
        return new RenderJobRequest
        {
            Prompt = result.GetValue(Prompt),
            Storyboard = board?.Segments,
            Seconds = result.GetValue(Seconds),
            Fps = result.GetValue(Fps),
            Seed = result.GetValue(Seed),
            Steps = result.GetValue(Steps),
            Guidance = result.GetValue(Guidance),
            GuidanceFocus = result.GetValue(GuidanceFocus),
            MultiWindowGuidance = result.GetValue(MultiWindowGuidance),
            Strategy = Parse<JobStrategy>("strategy", result.GetValue(Strategy)!),
            Window = result.GetValue(Window),
            Overlap = result.GetValue(Overlap),
            SyncEvery = result.GetValue(SyncEvery),
            Blend = Parse<OverlapBlend>("blend", result.GetValue(Blend)!),
            KeyframeStride = result.GetValue(KeyframeStride),
            Anchors = Parse<KeyframeAnchoring>("anchors", result.GetValue(Anchors)!),
            FirstFrame = result.GetValue(FirstFrame),
        };
    }

    private static T Parse<T>(string field, string value) where T : struct, Enum =>
        ApiNames.TryParse<T>(value, out var parsed) ? parsed : throw new PlanException(field, $"unknown {field} '{value}' ({ApiNames.All<T>()})");
}
