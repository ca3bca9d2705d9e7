namespace VideoDiffusion.Farm.Diffusion.Onnx;

/// <summary>How ONNX Runtime sessions are built: threads and execution provider.</summary>
public sealed record OnnxRuntimeSettings
{
    /// <summary>Threads inside one operator; one accelerator slot on CPU is this many cores.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary><c>cpu</c>, or <c>cuda</c> / <c>tensorrt</c> on a build with the GPU package.</summary>
    public string ExecutionProvider { get; init; } = "cpu";

    public int DeviceId { get; init; }

    /// <summary>
    /// Whether idle intra-op threads spin. Spinning helps a process that only runs inference; on a silo it takes the
    /// cores the Orleans scheduler needs between steps.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;
}
