using System.Text.Json;
using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>
/// The timing of one accelerator running one model, read from <c>simulated-accelerator.json</c> in the model's folder:
/// what a denoiser call costs as a function of its batch, and how many window-steps fit in the device's memory.
/// </summary>
public sealed record AcceleratorProfile
{
    public const string FileName = "simulated-accelerator.json";

    /// <summary>The device the figures were taken on.</summary>
    public required string Device { get; init; }

    /// <summary>Where the figures come from.</summary>
    public required string Source { get; init; }

    /// <summary>Fixed cost of one denoiser call, in seconds of the device.</summary>
    public double SecondsPerCall { get; init; }

    /// <summary>Cost of each guided window-step (both classifier-free guidance rows) in a call, in seconds of the device.</summary>
    public required double SecondsPerWindowStep { get; init; }

    /// <summary>Cost of other model work (text encoding, decoding a window), in seconds of the device.</summary>
    public double SecondsPerOtherCall { get; init; }

    public required double DeviceMemoryGiB { get; init; }
    public required double ModelMemoryGiB { get; init; }

    /// <summary>Activation memory of one window-step in a batch.</summary>
    public required double WindowStepMemoryGiB { get; init; }

    /// <summary>Wall-clock seconds per device second: the simulation runs this much faster than the device.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Most window-steps one call holds: what the device's memory leaves after the weights.</summary>
    [JsonIgnore]
    public int MaxBatch => Math.Max(1, (int)Math.Floor((DeviceMemoryGiB - ModelMemoryGiB) / WindowStepMemoryGiB));

    /// <summary>Device seconds of one denoiser call of <paramref name="batch"/> window-steps.</summary>
    public double CallSeconds(int batch) => SecondsPerCall + SecondsPerWindowStep * batch;

    public static AcceleratorProfile Load(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model folder '{modelFolder}' has no {FileName}: the simulated accelerator needs its timing profile");
        }
        var profile = JsonSerializer.Deserialize<AcceleratorProfile>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
                      ?? throw new ModelLoadException($"{path} is empty");
        if (profile.SecondsPerWindowStep <= 0 || profile.TimeScale <= 0 || profile.WindowStepMemoryGiB <= 0 || profile.ModelMemoryGiB >= profile.DeviceMemoryGiB)
        {
            throw new ModelLoadException($"{path}: step time, time scale and window-step memory must be positive, and the model must fit the device");
        }
        return profile;
    }
}

/// <summary>
/// Stands in for the device on a slot (<c>ExecutionProvider=simulated</c>): a denoiser call waits for the profile's time
/// and returns a deterministic velocity of the sample's shape, so everything around it (queue, batching, grains, edges,
/// checkpoints, stitcher) runs for real at the timing of an accelerator this machine does not have.
/// </summary>
public sealed class SimulatedAccelerator(AcceleratorProfile profile)
{
    /// <summary>The execution provider name that selects it.</summary>
    public const string ProviderName = "simulated";

    public AcceleratorProfile Profile { get; } = profile;

    public static bool IsSelected(string executionProvider) => executionProvider.Equals(ProviderName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Waits one call's time and returns, per window-step, a velocity that depends only on its input.</summary>
    public LatentTensor[] Denoise(IReadOnlyList<WindowStepInput> batch)
    {
        Wait(Profile.CallSeconds(batch.Count));
        return batch.Select(Velocity).ToArray();
    }

    /// <summary>Waits the time of a call that is not a denoiser step (its real result is computed by the caller).</summary>
    public void WaitOtherCall() => Wait(Profile.SecondsPerOtherCall);

    private void Wait(double deviceSeconds)
    {
        var wall = TimeSpan.FromSeconds(deviceSeconds * Profile.TimeScale);
        if (wall > TimeSpan.Zero)
        {
            Thread.Sleep(wall);
        }
    }

    /// <summary>A velocity that pulls the sample gently toward zero, with the step's timestep folded in.</summary>
    private static LatentTensor Velocity(WindowStepInput input)
    {
        var sample = input.Sample;
        var velocity = new LatentTensor(sample.Frames, sample.Channels, sample.Height, sample.Width);
        var scale = 0.5f + 0.25f * input.Timestep / 1000f;
        var source = sample.Data;
        var target = velocity.Data;
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = source[i] * scale;
        }
        return velocity;
    }
}
