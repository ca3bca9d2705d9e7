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
    public LatentTensor? Context { get; private set; }
    public float[]? ContextMask { get; private set; }

    /// <summary>Gives frame <paramref name="localFrame"/> of the window as clean context.</summary>
    public void SetContextFrame(int localFrame, ReadOnlySpan<float> clean)
    {
        Context ??= new LatentTensor(Latents.Frames, Latents.Channels, Latents.Height, Latents.Width);
        ContextMask ??= new float[Latents.Frames];
        clean.CopyTo(Context.Frame(localFrame));
        ContextMask[localFrame] = 1f;
    }

    public WindowStepInput StepInput(float timestep, TextConditioning unconditional, GuidanceScale guidance) =>
        new(Latents, timestep, Conditional, unconditional, guidance, FrameStride, Context, ContextMask);

    /// <summary>Given frames are known: after the last step they take their clean values exactly.</summary>
    public void ApplyContext()
    {
        if (Context is null || ContextMask is null)
        {
            return;
        }
        for (var t = 0; t < ContextMask.Length; t++)
        {
            if (ContextMask[t] > 0)
            {
                Context.Frame(t).CopyTo(Latents.Frame(t));
            }
        }
    }
}
