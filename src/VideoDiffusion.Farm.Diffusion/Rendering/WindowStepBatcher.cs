using System.Diagnostics;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Advances windows by one sampler step, batching window-steps of the same shape into denoiser calls.</summary>
public sealed class WindowStepBatcher(GuidedDenoiser denoiser, FlowMatchEulerScheduler scheduler, TextConditioning unconditional, GuidanceScale guidance, int maxBatch)
{
    public long DenoiserCalls { get; private set; }
    public long WindowSteps { get; private set; }
    public TimeSpan DenoiseTime { get; private set; }

    public void Step(int step, IReadOnlyList<WindowState> windows)
    {
        var timestep = scheduler.Timestep(step);
        foreach (var group in windows.GroupBy(w => (w.Latents.Frames, w.Conditional.Tokens)))
        {
            foreach (var chunk in group.Chunk(maxBatch))
            {
                var started = Stopwatch.GetTimestamp();
                var velocities = denoiser.Predict(chunk.Select(w => w.StepInput(timestep, unconditional, guidance)).ToList());
                DenoiseTime += Stopwatch.GetElapsedTime(started);
                DenoiserCalls++;
                WindowSteps += chunk.Length;
                for (var i = 0; i < chunk.Length; i++)
                {
                    scheduler.Step(step, chunk[i].Latents, velocities[i]);
                }
            }
        }
    }
}
