using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>A window being denoised: its latents, its conditioning and the clean context frames it is given.</summary>
public sealed class WindowState(WindowSpan span, LatentTensor latents, TextConditioning conditional, float frameStride = 1f)
{
    public WindowSpan Span { get; } = span;
    public LatentTensor Latents { get; } = latents;
    public TextConditioning Conditional { get; } = conditional;
    public float FrameStride { get; } = frameStride;
    public ContextFrames? Context { get; private set; }

    /// <summary>Gives frame <paramref name="localFrame"/> of the window as clean context.</summary>
    public void SetContextFrame(int localFrame, ReadOnlySpan<float> clean)
    {
        Context ??= new ContextFrames(Latents.Frames, Latents.Channels, Latents.Height, Latents.Width);
        Context.Set(localFrame, clean);
    }

    public WindowStepInput StepInput(float timestep, TextConditioning unconditional, GuidanceScale guidance) =>
        new(Latents, timestep, Conditional, unconditional, guidance, FrameStride, Context);

    /// <summary>Given frames are known: after the last step they take their clean values exactly.</summary>
    public void ApplyContext()
    {
        if (Context is null)
        {
            return;
        }
        for (var t = 0; t < Context.Frames; t++)
        {
            Context.Frame(t)?.CopyTo(Latents.Frame(t));
        }
    }
}
