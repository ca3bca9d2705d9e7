using System.Diagnostics;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>
/// The in-process stepper: batches window-steps of the same shape into denoiser calls of at most
/// <paramref name="maxBatch"/>, fuses and reports through the given callbacks.
/// </summary>
public sealed class BatchedStepper(GuidedDenoiser denoiser, int maxBatch, Action<int>? fuse = null, Action<int>? stepped = null) : IWindowStepper
{
    public long DenoiserCalls { get; private set; }
    public long WindowSteps { get; private set; }
    public TimeSpan DenoiseTime { get; private set; }

    public ValueTask<IReadOnlyList<LatentTensor>> PredictAsync(IReadOnlyList<WindowStepInput> inputs, CancellationToken cancellation)
    {
        var velocities = new LatentTensor[inputs.Count];
        foreach (var group in inputs.Select((input, i) => (input, i)).GroupBy(x => x.input.BatchKey))
        {
            foreach (var chunk in group.Chunk(maxBatch))
            {
                var started = Stopwatch.GetTimestamp();
                var predicted = denoiser.Predict(chunk.Select(x => x.input).ToList());
                DenoiseTime += Stopwatch.GetElapsedTime(started);
                DenoiserCalls++;
                WindowSteps += chunk.Length;
                for (var k = 0; k < chunk.Length; k++)
                {
                    velocities[chunk[k].i] = predicted[k];
                }
            }
        }
        return ValueTask.FromResult<IReadOnlyList<LatentTensor>>(velocities);
    }

    public ValueTask FuseAsync(int step, CancellationToken cancellation)
    {
        fuse?.Invoke(step);
        return ValueTask.CompletedTask;
    }

    public ValueTask SteppedAsync(int step, CancellationToken cancellation)
    {
        stepped?.Invoke(step);
        return ValueTask.CompletedTask;
    }
}
