using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// The one denoising loop every engine runs: predict the guided velocity, take the scheduler step, fuse the overlaps
/// at sync points; after the last step, given frames take their clean values and a last fusion follows when the
/// schedule asks for it.
/// </summary>
public sealed class WindowStepLoop(FlowMatchEulerScheduler scheduler, TextConditioning unconditional, GuidanceScale guidance)
{
    /// <summary>Steps <paramref name="windows"/> from step <paramref name="start"/> to the end of the schedule.</summary>
    public async ValueTask RunAsync(IReadOnlyList<WindowState> windows, int start, int steps, FusionSchedule fusion, IWindowStepper stepper, CancellationToken cancellation = default)
    {
        for (var step = start; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var timestep = scheduler.Timestep(step);
            var velocities = await stepper.PredictAsync(windows.Select(w => w.StepInput(timestep, unconditional, guidance)).ToList(), cancellation);
            for (var i = 0; i < windows.Count; i++)
            {
                scheduler.Step(step, windows[i].Latents, velocities[i]);
            }
            if (fusion.SyncsAfter(step))
            {
                await stepper.FuseAsync(step, cancellation);
            }
            await stepper.SteppedAsync(step, cancellation);
        }
        foreach (var window in windows)
        {
            window.ApplyContext();
        }
        if (fusion.FusesAfterSampling(steps))
        {
            await stepper.FuseAsync(steps, cancellation);
        }
    }

    /// <summary>The loop for a stepper whose every call completes at once (an in-process denoiser).</summary>
    public void Run(IReadOnlyList<WindowState> windows, int start, int steps, FusionSchedule fusion, IWindowStepper stepper, CancellationToken cancellation = default) =>
        RunAsync(windows, start, steps, fusion, stepper, cancellation).AsTask().GetAwaiter().GetResult();
}
