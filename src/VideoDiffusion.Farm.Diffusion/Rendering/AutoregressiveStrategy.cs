using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Window i is conditioned on the clean last frames of window i − 1: sequential, the one-GPU baseline.</summary>
public sealed class AutoregressiveStrategy : IRenderStrategy
{
    public long WindowSteps(RenderJobSpec spec) => FirstFrameGenerator.WindowSteps(spec) + (long)spec.Plan.Windows.Count * spec.Steps;

    public LatentTensor Render(RenderContext context) => Chain(context, PassLayout.For(context.Spec, PassLayout.Main), "denoise");

    /// <summary>Denoises the windows of a chained pass one after another, each given its predecessor's clean tail.</summary>
    internal static LatentTensor Chain(RenderContext context, PassLayout layout, string phase)
    {
        var done = new List<LatentTensor>();
        WindowState? previous = null;
        foreach (var span in layout.Plan.Windows)
        {
            var window = context.NewWindow(span, layout.FramesOf(span.Index), layout.Stride);
            if (previous is not null)
            {
                var overlap = previous.Span.End - span.Start;
                for (var j = 0; j < overlap; j++)
                {
                    window.SetContextFrame(j, previous.Latents.Frame(previous.Latents.Frames - overlap + j));
                }
            }
            for (var step = 0; step < context.Spec.Steps; step++)
            {
                context.Step(step, [window], phase);
            }
            window.ApplyContext();
            done.Add(window.Latents);
            previous = window;
        }
        return ClipAssembler.Assemble(layout.Plan, done);
    }
}
