namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>A silo's inference capacity and the models it serves.</summary>
public sealed class AcceleratorOptions
{
    /// <summary>Accelerator slots (a GPU each, or a CPU slot of <see cref="ThreadsPerSlot"/> threads); 0 = hosts no windows.</summary>
    public int Slots { get; set; } = 1;

    public int ThreadsPerSlot { get; set; } = 1;

    /// <summary>Most window-steps one denoiser call takes.</summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>How long a slot waits for more window-steps to fill a batch that is not full.</summary>
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Whether ONNX Runtime's idle threads spin (off: the silo's scheduler shares the cores).</summary>
    public bool AllowSpinning { get; set; }

    /// <summary><c>cpu</c>, <c>cuda</c>, <c>tensorrt</c>, or <c>simulated</c>: each model's <c>simulated-accelerator.json</c> timing, no device.</summary>
    public string ExecutionProvider { get; set; } = "cpu";

    /// <summary>With the simulated provider: wall seconds per device second, instead of the profile's own.</summary>
    public double? SimulatedTimeScale { get; set; }

    /// <summary>Folder holding one sub-folder per model.</summary>
    public string ModelsRoot { get; set; } = "models";

    /// <summary>Models to load at start (and advertise for placement); others load on first use.</summary>
    public List<string> PreloadModels { get; set; } = ["moonwalk-tiny"];

    /// <summary>Window latents are checkpointed every this many steps.</summary>
    public int CheckpointEvery { get; set; } = 5;

    /// <summary>
    /// Each window keeps the overlaps it sent until its neighbours have checkpointed past them, so a neighbour whose
    /// silo died resumes from its checkpoint without rewinding this window. Silos that can only fail together (the
    /// embedded farm's, all in one process) set false: an overlap is then kept only until the neighbour has used it,
    /// one or two steps' overlaps instead of up to <see cref="CheckpointEvery"/> + 1 (a Wan-shaped overlap is 2 MB),
    /// and a window that resumes from a checkpoint all the same rewinds its neighbours.
    /// </summary>
    public bool KeepSentEdgesUntilCheckpoint { get; set; } = true;
}
