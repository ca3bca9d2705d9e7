using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Window i is conditioned on the clean last frames of window i − 1: sequential, the one-GPU baseline.</summary>
public sealed class AutoregressiveStrategy : IRenderStrategy
{
    public long WindowSteps(RenderJobSpec spec) => (long)spec.Plan.Windows.Count * spec.Steps;

    public LatentTensor Render(RenderContext context)
    {
        var spec = context.Spec;
        var done = new List<LatentTensor>();
        WindowState? previous = null;
        foreach (var span in spec.Plan.Windows)
        {
            var window = context.NewWindow(span, Enumerable.Range(span.Start, span.Length).ToList());
            if (previous is not null)
            {
                var overlap = previous.Span.End - span.Start;
                for (var j = 0; j < overlap; j++)
                {
                    window.SetContextFrame(j, previous.Latents.Frame(previous.Latents.Frames - overlap + j));
                }
            }
            for (var step = 0; step < spec.Steps; step++)
            {
                context.Step(step, [window], "denoise");
            }
            window.ApplyContext();
            done.Add(window.Latents);
            previous = window;
        }
        return ClipAssembler.Assemble(spec.Plan, done);
    }
}
